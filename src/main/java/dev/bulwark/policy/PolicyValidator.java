package dev.bulwark.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Checks one policy document: first against its kind's CRD schema, then the rules a schema cannot say
 * (one of path/execname, label expression values, host name regular expressions...). Every error names the
 * field path and the rule.
 */
final class PolicyValidator {
    /** Plain words for the CRD patterns, so an error says what was meant and not only the regex. */
    private static final Map<String, String> PATTERN_MEANING = Map.ofEntries(
            Map.entry(Patterns.PATH, "must be an absolute path without a trailing slash"),
            Map.entry(Patterns.DIRECTORY, "must be an absolute directory path ending in a slash"),
            Map.entry(Patterns.PATH_OR_DIRECTORY, "must be an absolute file path or a directory ending in a slash"),
            Map.entry(Patterns.EXEC_NAME, "must be an executable name without any slash"),
            Map.entry(Patterns.PROTOCOL_LIST, "must be one or more (comma separated) of tcp, udp, icmp, icmpv6, sctp,"
                    + " raw, stream, dgram, rdm, seqpacket, dccp, packet, all"),
            Map.entry(Patterns.CAPABILITY_LIST, "must be one or more (comma separated) Linux capability names,"
                    + " with or without cap_"),
            Map.entry(Patterns.DOMAIN, "must be a DNS name"),
            Map.entry(RuleMeta.ACTION_PATTERN, "must be Allow, Audit or Block (or empty: inherited)"));

    private final List<PolicyError> errors = new ArrayList<>();
    private final String source;
    private final String policy;

    private PolicyValidator(String source, String policy) {
        this.source = source;
        this.policy = policy;
    }

    static List<PolicyError> validate(PolicyKind kind, JsonNode document, String source, String policy) {
        PolicyValidator validator = new PolicyValidator(source, policy);
        for (Error error : CrdSchemas.of(kind).validate(document)) {
            validator.schemaError(error);
        }
        if (validator.errors.isEmpty()) {
            validator.semantics(kind, document.path("spec"));
        }
        return validator.errors;
    }

    private void schemaError(Error error) {
        String field = fieldPath(error.getInstanceLocation());
        String keyword = error.getKeyword();
        String message = switch (keyword) {
            case "required" -> {
                field = join(field, error.getProperty());
                yield "is required";
            }
            case "additionalProperties" -> {
                field = join(field, error.getProperty());
                yield "is not a field of this policy kind";
            }
            case "pattern" -> {
                String pattern = error.getSchemaNode().asText();
                yield quote(error.getInstanceNode()) + " " + PATTERN_MEANING.getOrDefault(pattern, "does not match")
                        + " (pattern " + pattern + ")";
            }
            case "enum" -> error.getSchemaNode().size() > 20
                    ? quote(error.getInstanceNode()) + " is not an x86-64 system call name"
                    : quote(error.getInstanceNode()) + " must be one of " + error.getSchemaNode();
            default -> error.getMessage();
        };
        add(field, message);
    }

    private void semantics(PolicyKind kind, JsonNode spec) {
        JsonNode matchPaths = spec.path("process").path("matchPaths");
        for (int i = 0; i < matchPaths.size(); i++) {
            JsonNode rule = matchPaths.get(i);
            if (rule.has("path") == rule.has("execname")) {
                add("spec.process.matchPaths[" + i + "]", "needs exactly one of path or execname");
            }
        }
        checkSyscalls(spec.path("syscalls"));
        checkLabels(spec.path("selector").path("matchLabels"), "spec.selector.matchLabels");
        JsonNode expressions = spec.path("selector").path("matchExpressions");
        for (int i = 0; i < expressions.size(); i++) {
            JsonNode expression = expressions.get(i);
            String at = "spec.selector.matchExpressions[" + i + "]";
            if (expression.path("values").isEmpty()) {
                add(at + ".values", "needs at least one value");
            }
            if ("label".equals(expression.path("key").asText())) {
                JsonNode values = expression.path("values");
                for (int v = 0; v < values.size(); v++) {
                    if (!values.get(v).asText().matches("[^=]+=.*")) {
                        add(at + ".values[" + v + "]", quote(values.get(v)) + " must be a label as key=value");
                    }
                }
            }
        }
        if (kind == PolicyKind.KubeArmorHostPolicy) {
            JsonNode labels = spec.path("nodeSelector").path("matchLabels");
            checkLabels(labels, "spec.nodeSelector.matchLabels");
            String hostnameRegex = labels.path(Selectors.HOSTNAME_REGEX_LABEL).asText(null);
            if (hostnameRegex != null) {
                try {
                    java.util.regex.Pattern.compile(hostnameRegex);
                } catch (PatternSyntaxException e) {
                    add("spec.nodeSelector.matchLabels." + Selectors.HOSTNAME_REGEX_LABEL,
                            "is not a valid regular expression: " + e.getDescription());
                }
            }
        }
    }

    private void checkSyscalls(JsonNode syscalls) {
        String[] blocks = {"matchSyscalls", "matchPaths"};
        for (String block : blocks) {
            JsonNode rules = syscalls.path(block);
            for (int i = 0; i < rules.size(); i++) {
                String at = "spec.syscalls." + block + "[" + i + "]";
                JsonNode rule = rules.get(i);
                if (rule.path("syscall").isEmpty()) {
                    add(at + ".syscall", "needs at least one system call");
                }
                if (block.equals("matchPaths") && !rule.has("path")) {
                    add(at + ".path", "is required");
                }
                if (rule.path("recursive").asBoolean() && block.equals("matchPaths")
                        && !rule.path("path").asText().endsWith("/")) {
                    add(at + ".recursive", "applies only to a directory path (ending in a slash)");
                }
                JsonNode sources = rule.path("fromSource");
                for (int s = 0; s < sources.size(); s++) {
                    JsonNode from = sources.get(s);
                    String fromAt = at + ".fromSource[" + s + "]";
                    if (from.has("path") == from.has("dir")) {
                        add(fromAt, "needs exactly one of path or dir");
                    } else if (from.has("path") && from.path("recursive").asBoolean()) {
                        add(fromAt + ".recursive", "applies only to dir");
                    }
                }
            }
        }
    }

    private void checkLabels(JsonNode labels, String at) {
        labels.properties().forEach(entry -> {
            if (entry.getKey().isBlank()) {
                add(at, "a label key must not be empty");
            }
        });
    }

    private void add(String field, String message) {
        errors.add(new PolicyError(source, policy, field, message));
    }

    /** JSON pointer elements to KubeArmor's dotted form: spec.file.matchDirectories[2].dir */
    static String fieldPath(NodePath path) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            if (element instanceof Integer index) {
                out.append('[').append(index).append(']');
            } else {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(element);
            }
        }
        return out.isEmpty() ? "(document)" : out.toString();
    }

    private static String join(String parent, String child) {
        return child == null ? parent : "(document)".equals(parent) ? child : parent + "." + child;
    }

    private static String quote(JsonNode value) {
        return value == null ? "null" : value.isTextual() ? "\"" + value.asText() + "\"" : value.toString();
    }
}
