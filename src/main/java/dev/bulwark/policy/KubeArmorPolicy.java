package dev.bulwark.policy;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** The `KubeArmorPolicy` custom resource (`ksp`), as KubeArmor defines it. */
@Group(KubeArmor.GROUP)
@Version(KubeArmor.VERSION)
@ShortNames("ksp")
public class KubeArmorPolicy extends CustomResource<KubeArmorPolicySpec, PolicyStatus> implements Namespaced {
}
