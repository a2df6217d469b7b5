package dev.bulwark.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated policy: its kind, identity and typed spec. Namespace is null for cluster-scoped kinds.
 * Only {@link PolicyReader} creates these, after every validation rule has passed.
 */
public record Policy(PolicyKind kind, String namespace, String name, PolicySpec spec) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The same policy under another name (tests and the gRPC service rename). */
    public Policy withName(String newName) {
        return new Policy(kind, namespace, newName, spec);
    }

    /**
     * The same policy with every Block action made Audit: what a pod annotated `kubearmor-policy: audited` gets
     * (its events are reported, never denied).
     */
    public Policy audited() {
        JsonNode tree = JSON.valueToTree(spec);
        auditBlocks(tree);
        try {
            return new Policy(kind, namespace, name, JSON.treeToValue(tree, spec.getClass()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a spec that was read must be readable again", e);
        }
    }

    private static void auditBlocks(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode action = object.get("action");
            if (action != null && action.isTextual() && action.asText().equalsIgnoreCase("Block")) {
                object.put("action", "Audit");
            }
            object.forEach(Policy::auditBlocks);
        } else if (node.isArray()) {
            node.forEach(Policy::auditBlocks);
        }
    }

    /** "namespace/name" for namespaced policies, "name" otherwise: unique per kind. */
    public String qualifiedName() {
        return namespace == null ? name : namespace + "/" + name;
    }
}
