package dev.bulwark.policy;

/**
 * A validated policy: its kind, identity and typed spec. Namespace is null for cluster-scoped kinds.
 * Only {@link PolicyReader} creates these, after every validation rule has passed.
 */
public record Policy(PolicyKind kind, String namespace, String name, PolicySpec spec) {

    /** "namespace/name" for namespaced policies, "name" otherwise: unique per kind. */
    public String qualifiedName() {
        return namespace == null ? name : namespace + "/" + name;
    }
}
