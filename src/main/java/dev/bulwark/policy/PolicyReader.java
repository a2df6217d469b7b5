package dev.bulwark.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads KubeArmor policies from YAML or JSON text (one or more documents) and validates each one. A document
 * with any error yields no policy; the caller decides whether other documents of the same text still count.
 */
public final class PolicyReader {
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    /** Namespace of a KubeArmorPolicy read from a file that names none, as kubectl would use. */
    public static final String DEFAULT_NAMESPACE = "default";

    /** YAML is a superset of JSON, so one reader serves both. */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What came out of one text: the valid policies and the errors of the others. */
    public record Result(List<Policy> policies, List<PolicyError> errors) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    private PolicyReader() {
    }

    public static Result read(Path file) {
        try {
            return read(Files.readString(file), file.toString());
        } catch (IOException e) {
            return new Result(List.of(), List.of(new PolicyError(file.toString(), "-", "(file)",
                    "cannot be read: " + e.getMessage())));
        }
    }

    public static Result read(String text, String source) {
        List<Policy> policies = new ArrayList<>();
        List<PolicyError> errors = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(text)) {
            int index = 0;
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                index++;
                if (document == null || document.isNull() || document.isMissingNode()) {
                    continue;
                }
                readDocument(document, source, index, policies, errors);
            }
        } catch (IOException e) {
            String where = e instanceof JsonProcessingException p && p.getLocation() != null
                    ? "line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr()
                    : "(document)";
            errors.add(new PolicyError(source, "-", where, "is not valid YAML or JSON: "
                    + (e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage())));
        }
        return new Result(List.copyOf(policies), List.copyOf(errors));
    }

    private static void readDocument(JsonNode document, String source, int index, List<Policy> policies,
            List<PolicyError> errors) {
        String name = document.path("metadata").path("name").asText("");
        String label = name.isEmpty() ? "document " + index : name;
        List<PolicyError> found = new ArrayList<>();
        if (!document.isObject()) {
            errors.add(new PolicyError(source, label, "(document)", "must be a mapping with apiVersion, kind,"
                    + " metadata and spec"));
            return;
        }
        if (!KubeArmor.API_VERSION.equals(document.path("apiVersion").asText())) {
            found.add(new PolicyError(source, label, "apiVersion", "must be " + KubeArmor.API_VERSION));
        }
        PolicyKind kind = PolicyKind.fromKind(document.path("kind").asText());
        if (kind == null) {
            found.add(new PolicyError(source, label, "kind", "must be KubeArmorPolicy, KubeArmorHostPolicy"
                    + " or KubeArmorClusterPolicy"));
        }
        if (name.isEmpty()) {
            found.add(new PolicyError(source, label, "metadata.name", "is required"));
        } else if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            found.add(new PolicyError(source, label, "metadata.name", "must be a lower-case DNS subdomain"
                    + " (a-z, 0-9, '-' and '.'; at most 253 characters)"));
        }
        String namespace = null;
        if (kind != null && kind.namespaced()) {
            namespace = document.path("metadata").path("namespace").asText(DEFAULT_NAMESPACE);
            if (!namespace.equals(KubeArmor.STANDALONE_NAMESPACE)
                    && (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches())) {
                found.add(new PolicyError(source, label, "metadata.namespace", "must be a lower-case DNS label"));
            }
        }
        if (!document.path("spec").isObject()) {
            found.add(new PolicyError(source, label, "spec", "is required"));
        }
        if (kind != null && found.isEmpty()) {
            dropEmpty(document.path("spec"));
            found.addAll(PolicyValidator.validate(kind, document, source, label));
        }
        if (!found.isEmpty()) {
            errors.addAll(found);
            return;
        }
        try {
            CustomResource<? extends PolicySpec, PolicyStatus> resource =
                    YAML.treeToValue(document, kind.resourceClass());
            policies.add(new Policy(kind, namespace, name, resource.getSpec()));
        } catch (JsonProcessingException e) {
            // The schema admitted something the model cannot hold: a bug, but still the input's error.
            errors.add(new PolicyError(source, label, "spec", "cannot be read: " + e.getOriginalMessage()));
        }
    }

    /**
     * Fields left empty (`matchExpressions:` with no value: null) are no fields, as upstream reads them; so is an
     * empty action (`"action": ""`, which karmor sends for a policy without one): the action is inherited.
     */
    private static void dropEmpty(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.properties().removeIf(field -> field.getValue().isNull()
                    || field.getKey().equals("action") && field.getValue().isTextual()
                    && field.getValue().asText().isEmpty());
            object.forEach(PolicyReader::dropEmpty);
        } else if (node instanceof ArrayNode array) {
            array.forEach(PolicyReader::dropEmpty);
        }
    }
}
