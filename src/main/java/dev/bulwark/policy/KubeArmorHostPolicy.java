package dev.bulwark.policy;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The `KubeArmorHostPolicy` custom resource (`hsp`), as KubeArmor defines it. */
@Group(KubeArmor.GROUP)
@Version(KubeArmor.VERSION)
@ShortNames("hsp")
public class KubeArmorHostPolicy extends CustomResource<KubeArmorHostPolicySpec, PolicyStatus> {
}
