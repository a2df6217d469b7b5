package dev.bulwark.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every validation rule, each with a document that passes and one that fails naming the field and the rule. */
class PolicyValidationTest {

    static String doc(String kind, String spec) {
        return TestPolicies.document(kind, "p", "ns", spec);
    }

    static final String KSP = "KubeArmorPolicy";
    static final String HSP = "KubeArmorHostPolicy";
    static final String CSP = "KubeArmorClusterPolicy";
    static final String NODE = "nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}, ";

    /** kind, valid spec, invalid spec, field of the error, words the message must contain. */
    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of(KSP, "{file: {matchPaths: [{path: /etc/passwd}]}}",
                        "{file: {matchPaths: [{path: etc/passwd}]}}",
                        "spec.file.matchPaths[0].path", "absolute path without a trailing slash"),
                Arguments.of(KSP, "{file: {matchPaths: [{path: /etc/x}]}}",
                        "{file: {matchPaths: [{path: /etc/}]}}",
                        "spec.file.matchPaths[0].path", "without a trailing slash"),
                Arguments.of(KSP, "{file: {matchPaths: [{path: /x}]}}", "{file: {matchPaths: [{readOnly: true}]}}",
                        "spec.file.matchPaths[0].path", "is required"),
                Arguments.of(KSP, "{file: {matchDirectories: [{dir: /etc/}, {dir: /}, {dir: /tmp/, recursive: true}]}}",
                        "{file: {matchDirectories: [{dir: /etc/}, {dir: /}, {dir: /tmp}]}}",
                        "spec.file.matchDirectories[2].dir", "ending in a slash"),
                Arguments.of(KSP, "{process: {matchPaths: [{execname: bash}]}}",
                        "{process: {matchPaths: [{execname: /bin/bash}]}}",
                        "spec.process.matchPaths[0].execname", "without any slash"),
                Arguments.of(KSP, "{process: {matchPaths: [{path: /bin/sh}]}}",
                        "{process: {matchPaths: [{path: /bin/sh, execname: sh}]}}",
                        "spec.process.matchPaths[0]", "exactly one of path or execname"),
                Arguments.of(KSP, "{process: {matchPaths: [{path: /bin/sh}]}}",
                        "{process: {matchPaths: [{ownerOnly: true}]}}",
                        "spec.process.matchPaths[0]", "exactly one of path or execname"),
                Arguments.of(KSP, "{process: {matchPaths: [{path: /bin/ls, allowedArgs: [" + args(20) + "]}]}}",
                        "{process: {matchPaths: [{path: /bin/ls, allowedArgs: [" + args(21) + "]}]}}",
                        "spec.process.matchPaths[0].allowedArgs", "20"),
                Arguments.of(KSP, "{process: {matchPaths: [{path: /bin/sh, fromSource: [{path: /bin/bash}]}]}}",
                        "{process: {matchPaths: [{path: /bin/sh, fromSource: [{path: bash}]}]}}",
                        "spec.process.matchPaths[0].fromSource[0].path", "absolute path"),
                Arguments.of(KSP, "{process: {matchDirectories: [{dir: /bin/, recursive: true, ownerOnly: true}]}}",
                        "{process: {matchDirectories: [{dir: /bin/, recursive: yes-please}]}}",
                        "spec.process.matchDirectories[0].recursive", "boolean"),
                Arguments.of(KSP, "{severity: 10, file: {matchPaths: [{path: /x, severity: 1}]}}",
                        "{severity: 11, file: {matchPaths: [{path: /x}]}}", "spec.severity", "10"),
                Arguments.of(KSP, "{file: {severity: 5, matchPaths: [{path: /x}]}}",
                        "{file: {matchPaths: [{path: /x, severity: 0}]}}", "spec.file.matchPaths[0].severity", "1"),
                Arguments.of(KSP, "{file: {matchPaths: [{path: /x, severity: 3}]}}",
                        "{file: {matchPaths: [{path: /x, severity: high}]}}",
                        "spec.file.matchPaths[0].severity", "integer"),
                Arguments.of(KSP, "{action: Allow, file: {matchPaths: [{path: /x, action: block}]}}",
                        "{action: Deny, file: {matchPaths: [{path: /x}]}}", "spec.action", "Allow, Audit or Block"),
                Arguments.of(KSP, "{file: {action: audit, matchPaths: [{path: /x}]}}",
                        "{file: {action: AUDIT, matchPaths: [{path: /x}]}}", "spec.file.action", "Allow, Audit or Block"),
                Arguments.of(KSP, "{network: {matchProtocols: [{protocol: TCP}, {protocol: 'udp, icmp'},"
                        + " {protocol: Raw}, {protocol: icmpv6}, {protocol: 'sctp,stream,dgram,rdm,seqpacket,dccp,packet,all'}]}}",
                        "{network: {matchProtocols: [{protocol: tcp}, {protocol: 'udp,http'}]}}",
                        "spec.network.matchProtocols[1].protocol", "comma separated"),
                Arguments.of(KSP, "{network: {matchDNSQueries: [{domain: www.example.com}]}}",
                        "{network: {matchDNSQueries: [{domain: 'bad domain'}]}}",
                        "spec.network.matchDNSQueries[0].domain", "DNS name"),
                Arguments.of(KSP, "{capabilities: {matchCapabilities: [{capability: net_raw},"
                        + " {capability: CAP_SYS_ADMIN}, {capability: 'cap_chown, Kill'}, {capability: bpf}]}}",
                        "{capabilities: {matchCapabilities: [{capability: net_rawr}]}}",
                        "spec.capabilities.matchCapabilities[0].capability", "Linux capability"),
                Arguments.of(KSP, "{syscalls: {matchSyscalls: [{syscall: [unlink, openat]}]}}",
                        "{syscalls: {matchSyscalls: [{syscall: [unlink, opn]}]}}",
                        "spec.syscalls.matchSyscalls[0].syscall[1]", "x86-64 system call"),
                Arguments.of(KSP, "{syscalls: {matchSyscalls: [{syscall: [unlink]}]}}",
                        "{syscalls: {matchSyscalls: [{syscall: []}]}}",
                        "spec.syscalls.matchSyscalls[0].syscall", "at least one"),
                Arguments.of(KSP, "{syscalls: {matchPaths: [{path: /tmp/, recursive: true, syscall: [unlink]}]}}",
                        "{syscalls: {matchPaths: [{path: /tmp/x, recursive: true, syscall: [unlink]}]}}",
                        "spec.syscalls.matchPaths[0].recursive", "directory"),
                Arguments.of(KSP, "{syscalls: {matchPaths: [{path: /etc/, syscall: [rmdir]}]}}",
                        "{syscalls: {matchPaths: [{path: etc, syscall: [rmdir]}]}}",
                        "spec.syscalls.matchPaths[0].path", "absolute file path or a directory"),
                Arguments.of(KSP, "{syscalls: {matchSyscalls: [{syscall: [unlink], fromSource: [{dir: /bin/, recursive: true}]}]}}",
                        "{syscalls: {matchSyscalls: [{syscall: [unlink], fromSource: [{path: /bin/rm, dir: /bin/}]}]}}",
                        "spec.syscalls.matchSyscalls[0].fromSource[0]", "exactly one of path or dir"),
                Arguments.of(KSP, "{syscalls: {matchSyscalls: [{syscall: [unlink], fromSource: [{path: /bin/rm}]}]}}",
                        "{syscalls: {matchSyscalls: [{syscall: [unlink], fromSource: [{path: /bin/rm, recursive: true}]}]}}",
                        "spec.syscalls.matchSyscalls[0].fromSource[0].recursive", "only to dir"),
                Arguments.of(KSP, "{syscalls: {matchSyscalls: [{syscall: [unlink]}]}}",
                        "{syscalls: {action: Block, matchSyscalls: [{syscall: [unlink]}]}}",
                        "spec.syscalls.action", "not a field"),
                Arguments.of(KSP, "{presets: [{name: filelessExec}, {name: anonymousMapExec, action: Audit},"
                        + " {name: protectEnv}, {name: protectProc}, {name: exec}]}",
                        "{presets: [{name: hideEverything}]}", "spec.presets[0].name", "does not match"),
                Arguments.of(KSP, "{selector: {matchLabels: {app: web}}, file: {matchPaths: [{path: /x}]}}",
                        "{selector: {matchLabel: {app: web}}, file: {matchPaths: [{path: /x}]}}",
                        "spec.selector.matchLabel", "not a field"),
                Arguments.of(KSP, "{selector: {matchExpressions: [{key: label, operator: In, values: [app=web]}]}}",
                        "{selector: {matchExpressions: [{key: namespace, operator: In, values: [prod]}]}}",
                        "spec.selector.matchExpressions[0].key", "does not match"),
                Arguments.of(KSP, "{selector: {matchExpressions: [{key: label, operator: NotIn, values: [app=web]}]}}",
                        "{selector: {matchExpressions: [{key: label, operator: Exists, values: [app=web]}]}}",
                        "spec.selector.matchExpressions[0].operator", "does not match"),
                Arguments.of(KSP, "{selector: {matchExpressions: [{key: label, operator: In, values: [app=web]}]}}",
                        "{selector: {matchExpressions: [{key: label, operator: In, values: [web]}]}}",
                        "spec.selector.matchExpressions[0].values[0]", "key=value"),
                Arguments.of(CSP, "{selector: {matchExpressions: [{key: namespace, operator: NotIn, values: [kube-system]}]}}",
                        "{selector: {matchExpressions: [{key: pod, operator: In, values: [x]}]}}",
                        "spec.selector.matchExpressions[0].key", "does not match"),
                Arguments.of(CSP, "{selector: {matchExpressions: [{key: namespace, operator: In, values: [a]}]}}",
                        "{selector: {matchExpressions: [{key: namespace, operator: In, values: []}]}}",
                        "spec.selector.matchExpressions[0].values", "at least one value"),
                Arguments.of(HSP, "{" + NODE + "file: {matchPaths: [{path: /x}]}}",
                        "{file: {matchPaths: [{path: /x}]}}", "spec.nodeSelector", "is required"),
                Arguments.of(HSP, "{" + NODE + "network: {matchProtocols: [{protocol: icmp, fromSource: [{path: /bin/ping}]}]}}",
                        "{" + NODE + "network: {matchProtocols: [{protocol: icmp}]}}",
                        "spec.network.matchProtocols[0].fromSource", "is required"),
                Arguments.of(HSP, "{" + NODE + "capabilities: {matchCapabilities: [{capability: net_raw, fromSource: [{path: /bin/ping}]}]}}",
                        "{" + NODE + "capabilities: {matchCapabilities: [{capability: net_raw, fromSource: []}]}}",
                        "spec.capabilities.matchCapabilities[0].fromSource", "1"),
                Arguments.of(HSP, "{nodeSelector: {matchLabels: {kubearmor.io/hostnamereg: 'node-[0-9]+'}}}",
                        "{nodeSelector: {matchLabels: {kubearmor.io/hostnamereg: 'node-[0-9+'}}}",
                        "spec.nodeSelector.matchLabels.kubearmor.io/hostnamereg", "regular expression"),
                Arguments.of(HSP, "{" + NODE + "device: {matchDevice: [{class: MASS-STORAGE, action: Block}]}}",
                        "{" + NODE + "device: {matchDevice: [{class: FLOPPY}]}}",
                        "spec.device.matchDevice[0].class", "does not match"),
                Arguments.of(HSP, "{" + NODE + "device: {matchDevice: [{class: HID, subClass: 1}]}}",
                        "{" + NODE + "device: {matchDevice: [{class: HID, subClass: 300}]}}",
                        "spec.device.matchDevice[0].subClass", "255"),
                Arguments.of(KSP, "{file: {matchPaths: [{path: /x}]}}",
                        "{device: {matchDevice: [{class: HID}]}}", "spec.device", "not a field"),
                Arguments.of(KSP, "{apparmor: 'deny /etc/shadow r,', tags: [a], message: m}",
                        "{tags: a}", "spec.tags", "array"));
    }

    static String args(int n) {
        return String.join(", ", Stream.iterate(1, i -> i + 1).limit(n).map(i -> "a" + i).toList());
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("rules")
    void eachRuleAcceptsTheValidAndNamesTheFieldOfTheInvalid(String kind, String valid, String invalid, String field,
            String words) {
        PolicyReader.Result ok = PolicyReader.read(doc(kind, valid), "t.yaml");
        assertTrue(ok.valid(), () -> "valid spec rejected: " + ok.errors());
        assertEquals(1, ok.policies().size());

        PolicyReader.Result bad = PolicyReader.read(doc(kind, invalid), "t.yaml");
        assertTrue(bad.policies().isEmpty(), "a policy with an error is rejected whole");
        assertTrue(bad.errors().stream().anyMatch(e -> e.field().equals(field) && e.message().contains(words)),
                () -> "expected " + field + " / " + words + " in " + bad.errors());
    }

    @Test
    void documentLevelErrorsNameTheirField() {
        var result = PolicyReader.read("""
                apiVersion: security.kubearmor.com/v2
                kind: KubeArmorPolicy
                metadata: {name: Bad_Name}
                spec: {}
                ---
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorNetworkPolicy
                metadata: {name: x}
                spec: {}
                ---
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorPolicy
                metadata: {namespace: Prod}
                """, "f.yaml");
        assertEquals("""
                f.yaml: Bad_Name: apiVersion: must be security.kubearmor.com/v1
                f.yaml: Bad_Name: metadata.name: must be a lower-case DNS subdomain (a-z, 0-9, '-' and '.'; at most 253 characters)
                f.yaml: x: kind: must be KubeArmorPolicy, KubeArmorHostPolicy or KubeArmorClusterPolicy
                f.yaml: document 3: metadata.name: is required
                f.yaml: document 3: metadata.namespace: must be a lower-case DNS label
                f.yaml: document 3: spec: is required""",
                String.join("\n", result.errors().stream().map(PolicyError::toString).toList()));
    }

    @Test
    void brokenYamlNamesTheLine() {
        var result = PolicyReader.read("apiVersion: v1\nspec: [unclosed\n", "f.yaml");
        assertEquals(1, result.errors().size());
        assertTrue(result.errors().getFirst().field().startsWith("line "), result.errors().toString());
    }

    @Test
    void namespaceDefaultsAndJsonIsAccepted() {
        var result = PolicyReader.read("""
                {"apiVersion":"security.kubearmor.com/v1","kind":"KubeArmorPolicy","metadata":{"name":"j"},
                 "spec":{"process":{"matchPaths":[{"path":"/bin/sh"}]},"action":"Block"}}
                """, "j.json");
        assertTrue(result.valid(), result.errors().toString());
        Policy policy = result.policies().getFirst();
        assertEquals("default/j", policy.qualifiedName());
        assertEquals("/bin/sh", policy.spec().process().matchPaths().getFirst().path());
    }
}
