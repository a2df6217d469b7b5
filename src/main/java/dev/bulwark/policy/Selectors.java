package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;
import java.util.Map;

/** The selectors of the three policy kinds. */
public final class Selectors {
    /** Pod label that is not a label: it names the containers of the pod a policy applies to. */
    public static final String CONTAINER_NAME_LABEL = "kubearmor.io/container.name";
    /** Node label every node carries implicitly: its host name ("*" in a selector matches any). */
    public static final String HOSTNAME_LABEL = "kubearmor.io/hostname";
    /** Node selector key whose value is a regular expression over the host name. */
    public static final String HOSTNAME_REGEX_LABEL = "kubearmor.io/hostnamereg";

    private Selectors() {
    }

    /** "app" or "[app, sidecar]" to the list of container names; empty ("", "[]": every container) when none. */
    public static List<String> containerNames(String value) {
        String list = value.strip();
        if (list.startsWith("[") && list.endsWith("]")) {
            list = list.substring(1, list.length() - 1);
        }
        return java.util.Arrays.stream(list.split(","))
                .map(String::strip)
                .filter(name -> !name.isEmpty())
                .toList();
    }

    /**
     * KubeArmorPolicy: labels of the container's pod (all must match) and label expressions; the special label
     * `kubearmor.io/container.name` names containers ("app" or "[app, sidecar]"). Empty: the whole namespace.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PodSelector(Map<String, String> matchLabels, List<LabelExpression> matchExpressions) {
    }

    /** `key: label`, values "k=v": In = the pod has one of them, NotIn = it has none. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LabelExpression(
            @Required @Pattern("^label$") String key,
            @Required @Pattern("^(In|NotIn)$") String operator,
            List<String> values) {
    }

    /** KubeArmorClusterPolicy: namespace and label expressions; empty = every namespace. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClusterSelector(List<ClusterExpression> matchExpressions) {
    }

    /** `key: namespace` (values are namespace names) or `key: label` (values "k=v"). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ClusterExpression(
            @Required @Pattern("^(namespace|label)$") String key,
            @Required @Pattern("^(In|NotIn)$") String operator,
            List<String> values) {
    }

    /**
     * KubeArmorHostPolicy: node labels, including `kubearmor.io/hostname` ("*" for every node, comma lists
     * allowed) and `kubearmor.io/hostnamereg` (a regular expression over the host name).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NodeSelector(Map<String, String> matchLabels) {
    }
}
