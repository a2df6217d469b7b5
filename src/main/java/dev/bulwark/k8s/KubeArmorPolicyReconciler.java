package dev.bulwark.k8s;

import dev.bulwark.policy.KubeArmorPolicy;
import dev.bulwark.policy.PolicyKind;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** KubeArmorPolicy objects of the cluster, as a policy source of this node. */
@ControllerConfiguration
public class KubeArmorPolicyReconciler extends PolicyReconciler<KubeArmorPolicy> {
    public KubeArmorPolicyReconciler() {
        super(PolicyKind.KubeArmorPolicy);
    }
}
