package dev.bulwark.compile;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.KubeArmorClusterPolicySpec;
import dev.bulwark.policy.KubeArmorHostPolicySpec;
import dev.bulwark.policy.KubeArmorPolicySpec;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Selectors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Which policies apply to an endpoint, with KubeArmor's selector semantics. */
public final class PolicySelection {
    private PolicySelection() {
    }

    public static List<Policy> applicable(List<Policy> policies, Endpoint endpoint) {
        return policies.stream().filter(policy -> applies(policy, endpoint)).toList();
    }

    public static boolean applies(Policy policy, Endpoint endpoint) {
        return switch (policy.spec()) {
            case KubeArmorPolicySpec spec -> !endpoint.isHost()
                    && policy.namespace().equals(endpoint.namespace())
                    && podSelectorMatches(spec.selector(), endpoint);
            case KubeArmorClusterPolicySpec spec -> !endpoint.isHost()
                    && clusterSelectorMatches(spec.selector(), endpoint);
            case KubeArmorHostPolicySpec spec -> endpoint.isHost()
                    && nodeSelectorMatches(spec.nodeSelector(), endpoint);
            default -> false;
        };
    }

    /** All labels must match; the container-name label restricts by container; then every expression holds. */
    private static boolean podSelectorMatches(Selectors.PodSelector selector, Endpoint endpoint) {
        if (selector == null) {
            return true;
        }
        Map<String, String> wanted = selector.matchLabels() == null ? Map.of() : selector.matchLabels();
        for (Map.Entry<String, String> label : wanted.entrySet()) {
            List<String> names = label.getKey().equals(Selectors.CONTAINER_NAME_LABEL)
                    ? Selectors.containerNames(label.getValue()) : null;
            // An empty container list ("" or "[]") is every container of the pod, as upstream has it.
            boolean matches = names != null ? names.isEmpty() || names.contains(endpoint.container())
                    : label.getValue().equals(endpoint.labels().get(label.getKey()));
            if (!matches) {
                return false;
            }
        }
        return selector.matchExpressions() == null || selector.matchExpressions().stream()
                .allMatch(e -> holds(e.operator(), e.values().stream().anyMatch(v -> hasLabel(endpoint, v))));
    }

    private static boolean clusterSelectorMatches(Selectors.ClusterSelector selector, Endpoint endpoint) {
        if (selector == null || selector.matchExpressions() == null) {
            return true;
        }
        return selector.matchExpressions().stream().allMatch(e -> holds(e.operator(),
                e.key().equals("namespace")
                        ? e.values().contains(endpoint.namespace())
                        : e.values().stream().anyMatch(v -> hasLabel(endpoint, v))));
    }

    /**
     * Every label must match. Values may be comma lists ("a,b": either); the host name label also takes "*",
     * and {@code kubearmor.io/hostnamereg} is a regular expression the whole host name must match.
     */
    private static boolean nodeSelectorMatches(Selectors.NodeSelector selector, Endpoint endpoint) {
        Map<String, String> wanted = selector.matchLabels() == null ? Map.of() : selector.matchLabels();
        for (Map.Entry<String, String> label : wanted.entrySet()) {
            String key = label.getKey();
            String value = label.getValue();
            boolean matches;
            if (key.equals(Selectors.HOSTNAME_REGEX_LABEL)) {
                matches = Pattern.compile(value).matcher(endpoint.hostName()).matches();
            } else if (key.equals(Selectors.HOSTNAME_LABEL) && value.strip().equals("*")) {
                matches = true;
            } else {
                String actual = endpoint.labels().get(key);
                matches = actual != null && Arrays.stream(value.split(",")).map(String::strip).anyMatch(actual::equals);
            }
            if (!matches) {
                return false;
            }
        }
        return true;
    }

    /** "k=v" is one of the endpoint's labels. */
    private static boolean hasLabel(Endpoint endpoint, String keyValue) {
        int eq = keyValue.indexOf('=');
        return eq > 0 && keyValue.substring(eq + 1).equals(endpoint.labels().get(keyValue.substring(0, eq)));
    }

    private static boolean holds(String operator, boolean anyMatches) {
        return operator.equals("In") == anyMatches;
    }
}
