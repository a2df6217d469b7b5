package dev.bulwark.policy;

/**
 * A validated policy: its kind, identity and typed spec. Namespace is null for cluster-scoped kinds.
 * Only {@link PolicyReader} creates these, after every validation rule has passed.
 */
public record Policy(PolicyKind kind, String namespace, String name, PolicySpec spec) {

    /** The same policy under another name (tests and the gRPC service rename). */
    public Policy withName(String newName) {
        return new Policy(kind, namespace, newName, spec);
    }

    /** "namespace/name" for namespaced policies, "name" otherwise: unique per kind. */
    public String qualifiedName() {
        return namespace == null ? name : namespace + "/" + name;
    }
}
