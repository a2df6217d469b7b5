package dev.bulwark.k8s;

import dev.bulwark.policy.KubeArmorHostPolicy;
import dev.bulwark.policy.PolicyKind;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** KubeArmorHostPolicy objects of the cluster, as a policy source of this node. */
@ControllerConfiguration
public class KubeArmorHostPolicyReconciler extends PolicyReconciler<KubeArmorHostPolicy> {
    public KubeArmorHostPolicyReconciler() {
        super(PolicyKind.KubeArmorHostPolicy);
    }
}
