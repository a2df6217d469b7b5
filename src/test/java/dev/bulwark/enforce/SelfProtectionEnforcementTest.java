package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * selfProtection in a real kernel, with this JVM as the agent: another root process (bpftool, bash, Python)
 * cannot take the enforcer's maps, programs or links, signal the agent or ptrace it, nor write where the agent's
 * read-only rules are; the same process still makes and reads its own BPF maps, asks whether the agent lives and
 * reads its status, and the agent itself writes where others may not.
 */
class SelfProtectionEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-self");
    static final long AGENT = ProcessHandle.current().pid();
    static final String OWN_MAP = "/sys/fs/bpf/bulwark-test-own";

    @BeforeAll
    void protect() throws IOException, InterruptedException {
        Files.createDirectories(DIR);
        sh("mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf; rm -f " + OWN_MAP);
        enforcer.selfProtection(true);
    }

    @AfterAll
    void unprotect() throws IOException, InterruptedException {
        enforcer.selfProtection(false);
        sh("rm -f " + OWN_MAP);
    }

    @BeforeEach
    void clean() {
        reset();
    }

    int idOf(int kind) {
        return enforcer.objectIds().stream().filter(id -> id.kind() == kind).findFirst().orElseThrow().id();
    }

    @Test
    void anotherProcessCannotTakeTheEnforcersMapsProgramsOrLinksButUsesItsOwn() throws Exception {
        host("{file: {matchPaths: [{path: " + DIR.resolve("secret") + "}]}, action: Block}", AUDIT);
        Files.writeString(DIR.resolve("secret"), "s\n"); // the agent itself is not judged
        String output = shOutput(each("/usr/sbin/bpftool map dump id " + idOf(Bpf.ObjectId.MAP),
                "/usr/sbin/bpftool prog dump xlated id " + idOf(Bpf.ObjectId.PROG),
                "/usr/sbin/bpftool link detach id " + idOf(Bpf.ObjectId.LINK),
                "/usr/sbin/bpftool map create " + OWN_MAP + " type array key 4 value 4 entries 1 name own",
                "/usr/sbin/bpftool map dump pinned " + OWN_MAP, "/usr/bin/cat " + DIR.resolve("secret")));
        // bpftool fails (255 or 1) on each of the agent's objects; its own map works; the rule still holds.
        assertTrue(output.matches("(?s).*r0=(255|1) r1=(255|1) r2=(255|1) r3=0 r4=0 r5=1.*"), output);
        Alert alert = alert(a -> a.policyName().equals(BpfEnforcer.SELF_PROTECTION_POLICY)
                && a.resource().startsWith("bpf map "));
        assertEquals("Block", alert.action());
        assertEquals("Permission denied", alert.result());
        assertTrue(alert.message().contains("bulwark.selfProtection=false"), alert.message());
        alert(a -> a.resource().startsWith("bpf program "));
        alert(a -> a.resource().startsWith("bpf link"));
    }

    @Test
    void anotherProcessCannotSignalOrPtraceTheAgentButMayAskWhetherItLives() throws Exception {
        // SIGCONT and PTRACE_SEIZE leave the agent running should they get through.
        String seize = LIBC + "libc.ptrace.argtypes = [ctypes.c_long] * 4\n"
                + "print('ok' if libc.ptrace(0x4206, " + AGENT + ", 0, 0) == 0 else errno.errorcode[ctypes.get_errno()])";
        Files.writeString(DIR.resolve("seize.py"), seize);
        Files.writeString(DIR.resolve("mem.py"), LIBC + "try:\n    open('/proc/" + AGENT + "/mem', 'rb').close()\n"
                + "    print('ok')\nexcept OSError as e:\n    print(errno.errorcode[e.errno])\n");
        String output = shOutput(each("kill -CONT " + AGENT, "kill -0 " + AGENT, "/usr/bin/cat /proc/" + AGENT
                + "/status"));
        assertTrue(output.contains("r0=1 r1=0 r2=0"), output);
        assertEquals("EPERM", python(PYTHON, DIR.resolve("seize.py")).getLast());
        assertEquals("EACCES", python(PYTHON, DIR.resolve("mem.py")).getLast(), "/proc/<agent>/mem");
        alert(a -> a.resource().startsWith("signal 18 to the agent"));
        alert(a -> a.resource().startsWith("ptrace of the agent"));
    }

    /**
     * selfProtection's own read-only rules (the policy the agent gives itself): only the agent writes there, and
     * only while it lives; once its lease is gone, the directory is writable again.
     */
    @Test
    void onlyTheLivingAgentWritesWhereItsReadOnlyRulesAre() throws Exception {
        Path own = DIR.resolve("policies");
        Files.createDirectories(own);
        enforcer.apply(dev.bulwark.compile.RuleCompiler.compile(HOST, dev.bulwark.compile.PolicySelection.applicable(
                java.util.List.of(dev.bulwark.policy.TestPolicies.read("KubeArmorHostPolicy",
                        BpfEnforcer.SELF_PROTECTION_POLICY, "test", "{nodeSelector: {matchLabels:"
                                + " {kubearmor.io/hostname: '*'}}, file: {matchDirectories: [{dir: " + own
                                + "/, recursive: true, readOnly: true}]}, action: Block}")), HOST),
                new dev.bulwark.compile.RuleCompiler.Options(AUDIT, true)));
        Files.writeString(own.resolve("p.yaml"), "by the agent\n"); // allowed: the agent is not judged
        String output = shOutput(each("echo x > " + own.resolve("p.yaml"), "rm " + own.resolve("p.yaml"),
                "/usr/bin/cat " + own.resolve("p.yaml")));
        assertTrue(output.contains("r0=1 r1=1 r2=0"), output);
        assertEquals("by the agent\n", Files.readString(own.resolve("p.yaml")));
        enforcer.selfProtection(false); // as when the agent is gone: its lease no longer holds
        try {
            assertEquals(0, sh("echo operator > " + own.resolve("p.yaml")), "writable once the agent is gone");
        } finally {
            enforcer.selfProtection(true);
        }
    }
}
