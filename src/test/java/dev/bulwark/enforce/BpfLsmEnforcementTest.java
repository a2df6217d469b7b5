package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.bpf.BpfException;
import dev.bulwark.compile.PolicySelection;
import dev.bulwark.compile.RuleCompiler;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.TestPolicies;
import dev.bulwark.settings.Postures;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real denials from a real kernel for programs and files: policies written into the loaded BPF-LSM programs'
 * maps, then exercised with files and programs.
 */
class BpfLsmEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-lsm");

    @BeforeEach
    void clean() throws IOException, InterruptedException {
        reset();
        // rm copes with the paths longer than PATH_MAX that one test builds; Files.walk does not.
        assertEquals(0, run("/usr/bin/rm", "-rf", DIR.toString()));
        Files.createDirectories(DIR.resolve("bin"));
        Files.writeString(DIR.resolve("secret"), "top secret\n");
        Files.setPosixFilePermissions(DIR.resolve("secret"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.copy(Path.of("/usr/bin/true"), DIR.resolve("bin/tool"));
        alerts.clear();
    }

    static RuleCompiler.Options options(Posture filePosture) {
        return new RuleCompiler.Options(new Postures(filePosture, Posture.audit, Posture.audit), true);
    }

    /** Applies one host policy with this spec (YAML flow style) and the given file posture. */
    RuleSet host(String spec, Posture filePosture) {
        return host(spec, options(filePosture).postures());
    }

    RuleSet apply(Endpoint endpoint, String kind, String spec, Posture filePosture) {
        return apply(endpoint, kind, spec, options(filePosture).postures());
    }

    @Test
    void aBlockedFileCannotBeOpenedAndTheAlertNamesThePolicy() throws Exception {
        host("{severity: 7, tags: [PCI], message: secret read, file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]},"
                + " action: Block}", Posture.audit);
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("secret")));
        Alert alert = alert(on("/tmp/bulwark-lsm/secret"));
        assertEquals("lsm-test", alert.policyName());
        assertEquals("MatchedHostPolicy", alert.type());
        assertEquals("7", alert.severity());
        assertEquals(List.of("PCI"), alert.atags());
        assertEquals("secret read", alert.message());
        assertEquals("File", alert.operation());
        assertEquals("lsm=SECURITY_FILE_OPEN", alert.data());
        assertEquals("Block", alert.action());
        assertEquals("Permission denied", alert.result());
        assertEquals("BPFLSM", alert.enforcer());
        assertEquals(ProcessHandle.current().pid(), alert.context().hostPid());
        assertEquals(ProcessHandle.current().pid(), alert.context().pid(), "on the host, PID is the host's");
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), alert.context().hostPpid());
        assertTrue(alert.source().contains("java"), alert.source());
    }

    @Test
    void otherFilesStayOpen() throws Exception {
        Files.writeString(DIR.resolve("public"), "hello\n");
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Block}", Posture.audit);
        assertEquals("hello\n", Files.readString(DIR.resolve("public")));
    }

    @Test
    void readOnlyLetsReadsThroughAndDeniesWrites() throws Exception {
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret, readOnly: true}]}, action: Block}", Posture.audit);
        assertEquals("top secret\n", Files.readString(DIR.resolve("secret")));
        assertThrows(AccessDeniedException.class, () -> Files.writeString(DIR.resolve("secret"), "changed"));
    }

    @Test
    void recursiveDirectoriesReachEveryDepthAndPlainOnesOnlyTheirFiles() throws Exception {
        Files.createDirectories(DIR.resolve("deep/a/b"));
        Files.createDirectories(DIR.resolve("flat/sub"));
        for (String file : List.of("deep/x", "deep/a/b/y", "flat/x", "flat/sub/y")) {
            Files.writeString(DIR.resolve(file), file);
        }
        host("{file: {matchDirectories: [{dir: /tmp/bulwark-lsm/deep/, recursive: true},"
                + " {dir: /tmp/bulwark-lsm/flat/}]}, action: Block}", Posture.audit);
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("deep/x")));
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("deep/a/b/y")));
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("flat/x")));
        assertEquals("flat/sub/y", Files.readString(DIR.resolve("flat/sub/y")));
    }

    @Test
    void aDirectoryRuleHoldsForPathsLongerAndDeeperThanUpstreamHandles() throws Exception {
        Path deep = DIR.resolve("long");
        for (int i = 0; i < 40; i++) {
            deep = deep.resolve("level-" + i + "-" + "x".repeat(8));
        }
        Files.createDirectories(deep);
        Path file = deep.resolve("file");
        Files.writeString(file, "deep");
        assertTrue(file.toString().length() > 255 && file.getNameCount() > 32);
        host("{file: {matchDirectories: [{dir: /tmp/bulwark-lsm/long/, recursive: true}]}, action: Block}",
                Posture.audit);
        assertThrows(AccessDeniedException.class, () -> Files.readString(file));
    }

    @Test
    void aSymlinkDoesNotReachAProtectedFile() throws Exception {
        Files.createSymbolicLink(DIR.resolve("link"), DIR.resolve("secret"));
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Block}", Posture.audit);
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("link")));
        assertEquals("/tmp/bulwark-lsm/secret", alert(on("/tmp/bulwark-lsm/secret")).resource());
    }

    @Test
    void fromSourceBlocksOnlyTheNamedProgram() throws Exception {
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret, fromSource: [{path: /usr/bin/cat}]}]},"
                + " action: Block}", Posture.audit);
        assertEquals(1, run("/usr/bin/cat", "/tmp/bulwark-lsm/secret"));
        assertEquals(0, run("/usr/bin/head", "/tmp/bulwark-lsm/secret"));
        assertEquals("/usr/bin/cat", alert(on("/tmp/bulwark-lsm/secret")).source());
    }

    @Test
    void ownerOnlyDeniesOtherUsers() throws Exception {
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret, ownerOnly: true}]}, action: Block}", Posture.audit);
        assertEquals(0, run("/usr/bin/cat", "/tmp/bulwark-lsm/secret"), "root owns the file");
        assertEquals(1, run("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/cat", "/tmp/bulwark-lsm/secret"), "nobody does not");
        assertEquals(65534, alert(on("/tmp/bulwark-lsm/secret")).context().uid());
    }

    @Test
    void aBlockedProgramCannotRun() throws Exception {
        host("{process: {matchPaths: [{path: /tmp/bulwark-lsm/bin/tool}]}, action: Block}", Posture.audit);
        IOException denied = assertThrows(IOException.class, () -> run("/tmp/bulwark-lsm/bin/tool"));
        assertTrue(denied.getMessage().contains("Permission denied"), denied.getMessage());
        Alert alert = alert(on("/tmp/bulwark-lsm/bin/tool"));
        assertEquals("Process", alert.operation());
        assertTrue(alert.context().parentProcessName().endsWith("/bin/java"), alert.context().parentProcessName());
        assertEquals("lsm=SECURITY_BPRM_CHECK", alert.data());
        assertEquals(0, run("/usr/bin/true"));
    }

    @Test
    void ptsRulesHoldOnlyForProcessesOnATerminal() throws Exception {
        host("{process: {matchPaths: [{path: /tmp/bulwark-lsm/bin/tool, pts: true}]}, action: Block}", Posture.audit);
        assertEquals(0, run("/usr/bin/bash", "-c", "/tmp/bulwark-lsm/bin/tool"), "no terminal: not concerned");
        // script(1) runs the command on a new pseudo-terminal, its controlling tty.
        assertTrue(run("/usr/bin/script", "-qec", "/tmp/bulwark-lsm/bin/tool", "/dev/null") != 0,
                "on a terminal: blocked");
        assertEquals("Permission denied", alert(on("/tmp/bulwark-lsm/bin/tool")).result());
    }

    @Test
    void execnameBlocksTheNameInAnyDirectory() throws Exception {
        Files.createDirectories(DIR.resolve("other"));
        Files.copy(Path.of("/usr/bin/true"), DIR.resolve("other/tool"));
        host("{process: {matchPaths: [{execname: tool}]}, action: Block}", Posture.audit);
        assertEquals(126, run("/usr/bin/sh", "-c", "/tmp/bulwark-lsm/bin/tool"));
        assertEquals(126, run("/usr/bin/sh", "-c", "/tmp/bulwark-lsm/other/tool"));
    }

    @Test
    void processFromSourceJudgesTheProgramThatAsks() throws Exception {
        host("{process: {matchPaths: [{path: /tmp/bulwark-lsm/bin/tool, fromSource: [{path: /usr/bin/bash}]}]},"
                + " action: Block}", Posture.audit);
        assertEquals(126, run("/usr/bin/bash", "-c", "/tmp/bulwark-lsm/bin/tool"));
        assertEquals(0, run("/usr/bin/dash", "-c", "/tmp/bulwark-lsm/bin/tool"));
        assertEquals("/usr/bin/bash", alert(on("/tmp/bulwark-lsm/bin/tool")).source());
    }

    @Test
    void anAllowListWithBlockPostureDeniesEverythingElse() throws Exception {
        host("{process: {matchPaths: [{path: /usr/bin/cat}], matchDirectories: [{dir: /usr/lib/jvm/, recursive: true}]},"
                + " action: Allow}", Posture.block);
        assertEquals(0, run("/usr/bin/cat", "/tmp/bulwark-lsm/secret"));
        assertThrows(IOException.class, () -> run("/usr/bin/head", "/tmp/bulwark-lsm/secret"));
        Alert alert = alert(on("/usr/bin/head"));
        assertEquals("DefaultPosture", alert.policyName());
        assertEquals("Block", alert.action());
        assertEquals("Permission denied", alert.result());
    }

    @Test
    void anAllowListWithAuditPostureOnlyReports() throws Exception {
        host("{process: {matchPaths: [{path: /usr/bin/cat}], matchDirectories: [{dir: /usr/lib/jvm/, recursive: true}]},"
                + " action: Allow}", Posture.audit);
        assertEquals(0, run("/usr/bin/head", "/tmp/bulwark-lsm/secret"));
        Alert alert = alert(on("/usr/bin/head"));
        assertEquals("DefaultPosture", alert.policyName());
        assertEquals("Audit", alert.action());
        assertEquals("Passed", alert.result());
    }

    @Test
    void anAuditRuleReportsWithoutDenying() throws Exception {
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Audit}", Posture.audit);
        assertEquals("top secret\n", Files.readString(DIR.resolve("secret")));
        Alert alert = alert(on("/tmp/bulwark-lsm/secret"));
        assertEquals("Audit", alert.action());
        assertEquals("Passed", alert.result());
    }

    @Test
    void updatesAndDeletesTakeEffectAtOnce() throws Exception {
        Files.writeString(DIR.resolve("other"), "other\n");
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Block}", Posture.audit);
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("secret")));
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/other}]}, action: Block}", Posture.audit);
        assertEquals("top secret\n", Files.readString(DIR.resolve("secret")));
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("other")));
        enforcer.apply(RuleCompiler.compile(HOST, List.of(), options(Posture.audit)));
        assertEquals("other\n", Files.readString(DIR.resolve("other")));
    }

    @Test
    void aContainerIsGovernedByItsPolicyFromItsFirstExecAndTheHostIsNot() throws Exception {
        String output = inSandbox("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Block}",
                options(Posture.audit).postures(), sandbox -> {
                    assertEquals(0, run("/usr/bin/cat", "/tmp/bulwark-lsm/secret"), "the host is not governed by the KSP");
                    return sandbox.run("/usr/bin/cat /tmp/bulwark-lsm/secret");
                });
        assertTrue(output.contains("Permission denied") && output.contains("status=1"), output);
        Alert alert = alert(on("/tmp/bulwark-lsm/secret"));
        assertEquals("MatchedPolicy", alert.type());
        assertEquals("test", alert.context().namespaceName());
        assertEquals("main", alert.context().containerName());
        assertTrue(alert.context().pid() > 0 && alert.context().pid() < 10 && alert.context().pid() != alert.context().hostPid(),
                "PID as the container sees it (its shell is 1), HostPID as the host does: " + alert);
    }

    /** Every path hook, each through the command that triggers it, inside a blocked directory tree. */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "rm /tmp/bulwark-lsm/locked/f                                  | SECURITY_PATH_UNLINK",
            "mkdir /tmp/bulwark-lsm/locked/new                             | SECURITY_PATH_MKDIR",
            "rmdir /tmp/bulwark-lsm/locked/sub                             | SECURITY_PATH_RMDIR",
            "mv /tmp/bulwark-lsm/locked/f /tmp/bulwark-lsm/moved           | SECURITY_PATH_RENAME",
            "mv /tmp/bulwark-lsm/free /tmp/bulwark-lsm/locked/in           | SECURITY_PATH_RENAME",
            "chmod 600 /tmp/bulwark-lsm/locked/f                           | SECURITY_PATH_CHMOD",
            "/usr/bin/python3 -c \"import os; os.truncate('/tmp/bulwark-lsm/locked/f', 0)\" | SECURITY_PATH_TRUNCATE",
            "ln -s /etc/hostname /tmp/bulwark-lsm/locked/link              | SECURITY_PATH_SYMLINK",
            "ln /tmp/bulwark-lsm/locked/f /tmp/bulwark-lsm/hardlink        | SECURITY_PATH_LINK",
            "ln /tmp/bulwark-lsm/free /tmp/bulwark-lsm/locked/hard         | SECURITY_PATH_LINK",
            "mkfifo /tmp/bulwark-lsm/locked/fifo                           | SECURITY_PATH_MKNOD",
            "cp /tmp/bulwark-lsm/free /tmp/bulwark-lsm/locked/f            | SECURITY_FILE_OPEN",
    })
    void pathHooksGuardABlockedTree(String command, String hook) throws Exception {
        Files.createDirectories(DIR.resolve("locked/sub"));
        Files.writeString(DIR.resolve("locked/f"), "locked\n");
        Files.writeString(DIR.resolve("free"), "free\n");
        host("{file: {matchDirectories: [{dir: /tmp/bulwark-lsm/locked/, recursive: true, readOnly: true}]},"
                + " action: Block}", Posture.audit);
        assertTrue(run("/usr/bin/bash", "-c", command) != 0, command + " must be denied");
        Alert alert = alert(a -> a.data().equals("lsm=" + hook));
        assertEquals("Permission denied", alert.result());
        assertTrue(alert.resource().startsWith("/tmp/bulwark-lsm/"), alert.resource());
        assertEquals("locked\n", Files.readString(DIR.resolve("locked/f")), "reads still pass (readOnly)");
    }

    @Test
    void writesThroughADescriptorOpenedBeforeTheRuleAreDenied() throws Exception {
        try (OutputStream out = Files.newOutputStream(DIR.resolve("secret"))) {
            out.write("before\n".getBytes());
            out.flush();
            host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret, readOnly: true}]}, action: Block}",
                    Posture.audit);
            IOException denied = assertThrows(IOException.class, () -> {
                out.write("after\n".getBytes());
                out.flush();
            });
            assertTrue(denied.getMessage().contains("Permission denied"), denied.getMessage());
        }
        assertEquals("lsm=SECURITY_FILE_PERMISSION", alert(on("/tmp/bulwark-lsm/secret")).data());
    }

    @Test
    void aPathTooLongToAssembleIsDeniedWhereBlockRulesExist() throws Exception {
        // 17 levels of 250-byte names: over 4096 bytes, reachable only by relative paths.
        String deep = "cd /tmp/bulwark-lsm && for i in $(seq 17); do d=$(printf 'd%.0s' $(seq 250)); mkdir $d && cd $d;"
                + " done && echo deep > f";
        assertEquals(0, run("/usr/bin/bash", "-c", deep));
        String read = "cd /tmp/bulwark-lsm && for i in $(seq 17); do cd $(printf 'd%.0s' $(seq 250)); done"
                + " && /usr/bin/cat f";
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Audit}", Posture.audit);
        assertEquals(0, run("/usr/bin/bash", "-c", read), "no Block rule: nothing to fail closed for");
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Block}", Posture.audit);
        assertTrue(run("/usr/bin/bash", "-c", read) != 0, "a path the kernel cannot assemble is denied");
        Alert alert = alert(a -> a.resource().isEmpty() && !"AlertThreshold".equals(a.operation()));
        assertEquals("DefaultPosture", alert.policyName());
        assertTrue(alert.message().contains("fail closed"), alert.message());
    }

    @Test
    void alertsAreThrottledPerEndpointButEveryOperationIsStillDenied() throws Exception {
        Thread.sleep(2100); // let any earlier window and silence end
        long suppressedBefore = enforcer.suppressed().total("lsm-test");
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Block}", Posture.audit);
        int attempts = 3 * THROTTLE_PER_SEC;
        for (int i = 0; i < attempts; i++) {
            assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("secret")));
        }
        Thread.sleep(1000);
        List<Alert> raised = new ArrayList<>();
        alerts.drainTo(raised);
        assertEquals(THROTTLE_PER_SEC, raised.stream().filter(a -> a.resource().equals("/tmp/bulwark-lsm/secret"))
                .count(), "alerts up to the limit");
        List<Alert> thresholds = raised.stream().filter(a -> "AlertThreshold".equals(a.operation())).toList();
        assertEquals(1, thresholds.size(), "one announcement: " + raised);
        assertEquals("SystemEvent", thresholds.getFirst().type());
        assertEquals(THROTTLE_PER_SEC, thresholds.getFirst().maxAlertsPerSec());
        assertEquals(2, thresholds.getFirst().droppingAlertsInterval());
        Thread.sleep(2100);
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("secret")));
        // Alerts resume after the silence, and the end of the silence says what was held back, by policy.
        int held = attempts - THROTTLE_PER_SEC;
        List<Alert> after = new ArrayList<>();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && (after.stream().noneMatch(on("/tmp/bulwark-lsm/secret"))
                || after.stream().noneMatch(a -> a.message().contains("resume")))) {
            Alert next = alerts.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (next != null) {
                after.add(next);
            }
        }
        assertTrue(after.stream().anyMatch(on("/tmp/bulwark-lsm/secret")), "alerts resume: " + after);
        Alert resumed = after.stream().filter(a -> a.message().contains("resume")).findFirst().orElseThrow(
                () -> new AssertionError("no resumption announced: " + after));
        assertEquals("AlertThreshold", resumed.operation());
        assertTrue(resumed.message().contains(held + " were dropped (lsm-test: " + held + ")"), resumed.message());
        assertEquals(held, enforcer.suppressed().total("lsm-test") - suppressedBefore);
    }

    /** Noise (posture alerts) spends its own budget: the alerts of a policy's Block rule all still come. */
    @Test
    void aFloodOfPostureAlertsDoesNotSilenceAPolicysAlerts() throws Exception {
        Thread.sleep(2100); // let any earlier window and silence end
        List<dev.bulwark.policy.Policy> policies = PolicySelection.applicable(List.of(
                TestPolicies.read("KubeArmorHostPolicy", "noisy", "test", "{nodeSelector: {matchLabels:"
                        + " {kubearmor.io/hostname: '*'}}, network: {matchProtocols: [{protocol: icmp, fromSource:"
                        + " [{path: " + PYTHON + "}]}]}, action: Allow}"),
                TestPolicies.read("KubeArmorHostPolicy", "lsm-test", "test", "{nodeSelector: {matchLabels:"
                        + " {kubearmor.io/hostname: '*'}}, file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]},"
                        + " action: Block}")), HOST);
        enforcer.apply(RuleCompiler.compile(HOST, policies, options(Posture.audit)));
        // Posture audits: sockets no Allow covers, three times the budget.
        String sockets = "import socket\nfor i in range(" + 3 * THROTTLE_PER_SEC + "): socket.socket().close()";
        assertEquals(0, run(PYTHON, "-c", sockets));
        for (int i = 0; i < 3; i++) {
            assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("secret")));
        }
        Thread.sleep(1000);
        List<Alert> raised = new ArrayList<>();
        alerts.drainTo(raised);
        assertEquals(3, raised.stream().filter(a -> a.policyName().equals("lsm-test")).count(), raised.toString());
        assertTrue(raised.stream().anyMatch(a -> "AlertThreshold".equals(a.operation())
                && a.message().contains("posture alerts")), raised.toString());
    }

    @Test
    void sizeLimitsAreErrorsThatChangeNothing() throws Exception {
        host("{file: {matchPaths: [{path: /tmp/bulwark-lsm/secret}]}, action: Block}", Posture.audit);
        // Too many entries for one endpoint (limit 4096): refused, the previous rules stay in force.
        String paths = String.join(", ", java.util.stream.IntStream.range(0, 4097)
                .mapToObj(i -> "{path: /tmp/bulwark-lsm/many/f" + i + "}").toList());
        IllegalStateException tooMany = assertThrows(IllegalStateException.class,
                () -> host("{file: {matchPaths: [" + paths + "]}, action: Block}", Posture.audit));
        assertTrue(tooMany.getMessage().contains("maxRulesPerEndpoint"), tooMany.getMessage());
        assertThrows(AccessDeniedException.class, () -> Files.readString(DIR.resolve("secret")));
        // Too many endpoints (limit 64, the host is one): the 64th container is refused with the kernel's word.
        List<Endpoint> containers = new ArrayList<>();
        try {
            BpfException full = assertThrows(BpfException.class, () -> {
                for (int i = 0; i < 64; i++) {
                    Endpoint container = Endpoint.container("test", "pod-" + i, "main", Map.of(),
                            new KernelIdentity(100_000 + i, 200_000 + i));
                    enforcer.apply(RuleCompiler.compile(container, List.of(), options(Posture.audit)));
                    containers.add(container);
                }
            });
            assertEquals(63, containers.size());
            assertTrue(full.getMessage().startsWith("writing the endpoint's rule map"), full.getMessage());
        } finally {
            containers.forEach(enforcer::remove);
        }
    }
}
