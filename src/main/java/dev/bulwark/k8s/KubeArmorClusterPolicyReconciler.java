package dev.bulwark.k8s;

import dev.bulwark.policy.KubeArmorClusterPolicy;
import dev.bulwark.policy.PolicyKind;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;

/** KubeArmorClusterPolicy objects of the cluster, as a policy source of this node. */
@ControllerConfiguration
public class KubeArmorClusterPolicyReconciler extends PolicyReconciler<KubeArmorClusterPolicy> {
    public KubeArmorClusterPolicyReconciler() {
        super(PolicyKind.KubeArmorClusterPolicy);
    }
}
