package dev.bulwark.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.TestPolicies;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every selection rule: which policy applies to which endpoint. */
class PolicySelectionTest {
    static Policy policy(String kind, String namespace, String spec) {
        return TestPolicies.read(kind, "p", namespace, spec);
    }

    static Endpoint container(String namespace, String container, String labels) {
        Map<String, String> map = new java.util.HashMap<>();
        for (String label : labels.split(";")) {
            if (!label.isEmpty()) {
                map.put(label.split("=")[0], label.split("=")[1]);
            }
        }
        return Endpoint.container(namespace, "pod-1", container, map, new KernelIdentity(11, 12));
    }

    @ParameterizedTest(name = "KSP {0} on {1}/{2} {3} -> {4}")
    @CsvSource(delimiter = '|', value = {
            // selector                                                  | ns   | container | labels             | applies
            "{}                                                          | shop | app       |                    | true",
            "{}                                                          | prod | app       |                    | false",
            "{matchLabels: {app: web}}                                   | shop | app       | app=web;tier=front | true",
            "{matchLabels: {app: web, tier: back}}                       | shop | app       | app=web;tier=front | false",
            "{matchLabels: {app: web}}                                   | shop | app       | app=api            | false",
            "{matchLabels: {app: web}}                                   | shop | app       |                    | false",
            "{matchLabels: {kubearmor.io/container.name: nginx}}         | shop | nginx     | app=web            | true",
            "{matchLabels: {kubearmor.io/container.name: nginx}}         | shop | sidecar   | app=web            | false",
            "{matchLabels: {kubearmor.io/container.name: '[nginx, sidecar]', app: web}} | shop | sidecar | app=web | true",
            "{matchLabels: {kubearmor.io/container.name: '[nginx, sidecar]', app: web}} | shop | init    | app=web | false",
            "{matchExpressions: [{key: label, operator: In, values: [app=web, app=api]}]}     | shop | c | app=api | true",
            "{matchExpressions: [{key: label, operator: In, values: [app=web, app=api]}]}     | shop | c | app=db  | false",
            "{matchExpressions: [{key: label, operator: NotIn, values: [track=canary]}]}      | shop | c | app=db  | true",
            "{matchExpressions: [{key: label, operator: NotIn, values: [track=canary]}]}      | shop | c | track=canary | false",
            "{matchLabels: {app: web}, matchExpressions: [{key: label, operator: NotIn, values: [track=canary]}]} | shop | c | app=web;track=canary | false",
    })
    void kubeArmorPolicy(String selector, String namespace, String container, String labels, boolean applies) {
        Policy policy = policy("KubeArmorPolicy", "shop", "{selector: " + selector + "}");
        assertEquals(applies, PolicySelection.applies(policy, container(namespace, container, labels == null ? "" : labels)));
        assertEquals(false, PolicySelection.applies(policy, Endpoint.host("node-1", Map.of())), "never the host");
    }

    @ParameterizedTest(name = "CSP {0} on {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "{}                                                                       | any    |         | true",
            "{matchExpressions: [{key: namespace, operator: In, values: [a, b]}]}     | b      |         | true",
            "{matchExpressions: [{key: namespace, operator: In, values: [a, b]}]}     | c      |         | false",
            "{matchExpressions: [{key: namespace, operator: NotIn, values: [kube-system]}]} | kube-system | | false",
            "{matchExpressions: [{key: namespace, operator: NotIn, values: [kube-system]}]} | shop   |   | true",
            "{matchExpressions: [{key: namespace, operator: In, values: [shop]}, {key: label, operator: In, values: [env=prod]}]} | shop | env=prod | true",
            "{matchExpressions: [{key: namespace, operator: In, values: [shop]}, {key: label, operator: In, values: [env=prod]}]} | shop | env=dev  | false",
            "{matchExpressions: [{key: label, operator: NotIn, values: [env=dev]}]}   | x      | env=dev | false",
    })
    void clusterPolicy(String selector, String namespace, String labels, boolean applies) {
        Policy policy = policy("KubeArmorClusterPolicy", "", "{selector: " + selector + "}");
        assertEquals(applies, PolicySelection.applies(policy, container(namespace, "c", labels == null ? "" : labels)));
        assertEquals(false, PolicySelection.applies(policy, Endpoint.host("node-1", Map.of())), "never the host");
    }

    @ParameterizedTest(name = "HSP {0} on {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "{kubearmor.io/hostname: '*'}                         | node-1 |          | true",
            "{kubearmor.io/hostname: node-1}                      | node-1 |          | true",
            "{kubearmor.io/hostname: node-1}                      | node-2 |          | false",
            "{kubearmor.io/hostname: 'node-1, node-2'}            | node-2 |          | true",
            "{kubearmor.io/hostname: 'node-1,node-2'}             | node-3 |          | false",
            "{kubearmor.io/hostnamereg: 'edge-[0-9]+'}            | edge-12 |         | true",
            "{kubearmor.io/hostnamereg: 'edge-[0-9]+'}            | edge-1x |         | false",
            "{kubearmor.io/hostnamereg: 'edge-[0-9]+'}            | core-edge-1 |     | false",
            "{kubearmor.io/hostname: '*', role: edge}             | node-1 | role=edge | true",
            "{kubearmor.io/hostname: '*', role: edge}             | node-1 | role=core | false",
            "{role: 'edge,gateway'}                               | node-1 | role=gateway | true",
            "{}                                                   | node-9 |          | true",
    })
    void hostPolicy(String matchLabels, String host, String labels, boolean applies) {
        Policy policy = policy("KubeArmorHostPolicy", "", "{nodeSelector: {matchLabels: " + matchLabels + "}}");
        Map<String, String> nodeLabels = labels == null ? Map.of() : Map.of(labels.split("=")[0], labels.split("=")[1]);
        assertEquals(applies, PolicySelection.applies(policy, Endpoint.host(host, nodeLabels)));
        assertEquals(false, PolicySelection.applies(policy, container("default", "c", "")), "never a container");
    }
}
