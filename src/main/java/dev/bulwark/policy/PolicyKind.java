package dev.bulwark.policy;

import io.fabric8.kubernetes.client.CustomResource;

/** The three KubeArmor policy kinds, with what differs between them. */
public enum PolicyKind {
    KubeArmorPolicy("kubearmorpolicies", true, dev.bulwark.policy.KubeArmorPolicy.class),
    KubeArmorHostPolicy("kubearmorhostpolicies", false, dev.bulwark.policy.KubeArmorHostPolicy.class),
    KubeArmorClusterPolicy("kubearmorclusterpolicies", false, dev.bulwark.policy.KubeArmorClusterPolicy.class);

    private final String plural;
    private final boolean namespaced;
    private final Class<? extends CustomResource<? extends PolicySpec, PolicyStatus>> resourceClass;

    PolicyKind(String plural, boolean namespaced,
            Class<? extends CustomResource<? extends PolicySpec, PolicyStatus>> resourceClass) {
        this.plural = plural;
        this.namespaced = namespaced;
        this.resourceClass = resourceClass;
    }

    public boolean namespaced() {
        return namespaced;
    }

    public Class<? extends CustomResource<? extends PolicySpec, PolicyStatus>> resourceClass() {
        return resourceClass;
    }

    /** The committed CRD of this kind, a classpath resource. */
    public String crdResource() {
        return "/crds/" + plural + "." + KubeArmor.GROUP + "-" + KubeArmor.VERSION + ".yml";
    }

    /** The alert Type of events this kind's rules produce. */
    public String alertType() {
        return this == KubeArmorHostPolicy ? "MatchedHostPolicy" : "MatchedPolicy";
    }

    public static PolicyKind fromKind(String kind) {
        for (PolicyKind k : values()) {
            if (k.name().equals(kind)) {
                return k;
            }
        }
        return null;
    }
}
