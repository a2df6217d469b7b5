package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * The openAPIV3Schema of each committed CRD, compiled once for validation. Validating against the very schema
 * the API server gets keeps the standalone and gRPC paths exactly as strict as Kubernetes. One addition:
 * unknown fields are errors here (Kubernetes would silently prune a typo such as `matchPath`).
 */
final class CrdSchemas {
    private static final Map<PolicyKind, Schema> SCHEMAS = load();

    private CrdSchemas() {
    }

    static Schema of(PolicyKind kind) {
        return SCHEMAS.get(kind);
    }

    private static Map<PolicyKind, Schema> load() {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        Map<PolicyKind, Schema> schemas = new EnumMap<>(PolicyKind.class);
        for (PolicyKind kind : PolicyKind.values()) {
            try (InputStream in = CrdSchemas.class.getResourceAsStream(kind.crdResource())) {
                if (in == null) {
                    throw new IllegalStateException("CRD resource missing from the build: " + kind.crdResource());
                }
                JsonNode crd = yaml.readTree(in);
                ObjectNode schema = (ObjectNode) crd.at("/spec/versions/0/schema/openAPIV3Schema").deepCopy();
                // apiVersion, kind and metadata are checked by PolicyReader, which knows what it accepts.
                ObjectNode properties = (ObjectNode) schema.get("properties");
                properties.putObject("apiVersion").put("type", "string");
                properties.putObject("kind").put("type", "string");
                properties.putObject("metadata").put("type", "object");
                forbidUnknownFields(schema);
                schemas.put(kind, registry.getSchema(schema));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + kind.crdResource(), e);
            }
        }
        return schemas;
    }

    private static void forbidUnknownFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            object.forEach(CrdSchemas::forbidUnknownFields);
        } else if (node != null && node.isArray()) {
            node.forEach(CrdSchemas::forbidUnknownFields);
        }
    }
}
