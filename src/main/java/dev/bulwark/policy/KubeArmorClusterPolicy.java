package dev.bulwark.policy;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The `KubeArmorClusterPolicy` custom resource (`csp`), as KubeArmor defines it. */
@Group(KubeArmor.GROUP)
@Version(KubeArmor.VERSION)
@ShortNames("csp")
public class KubeArmorClusterPolicy extends CustomResource<KubeArmorClusterPolicySpec, PolicyStatus> {
}
