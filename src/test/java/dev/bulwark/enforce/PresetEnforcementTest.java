package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KubeArmor's presets in a real kernel, each as Block and as Audit, for a sandboxed "container" (presets have
 * no fromSource, and this JVM, on the host, needs executable anonymous memory for its JIT).
 */
class PresetEnforcementTest extends KernelScenarios {
    /** Runs /usr/bin/true from a memfd: fileless execution. */
    static final String MEMFD_EXEC = "/usr/bin/python3 -c 'import os; fd = os.memfd_create(\"payload\");"
            + " os.write(fd, open(\"/usr/bin/true\", \"rb\").read()); os.execv(\"/proc/self/fd/%d\" % fd, [\"payload\"])'";
    static final Path DIR = Path.of("/tmp/bulwark-presets");
    /** Maps anonymous memory for execution, and then some that is not executable. */
    static final String ANON_EXEC_MAP = "/usr/bin/python3 " + DIR.resolve("anon-map.py");
    static final long HOST_PID = ProcessHandle.current().pid();

    @BeforeAll
    void scripts() throws IOException {
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("anon-map.py"), """
                import mmap
                try:
                    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                    print("exec=ok")
                except OSError:
                    print("exec=denied")
                plain = mmap.mmap(-1, 4096)
                print("plain=ok")
                # The same memory made executable later: mprotect, as JIT compilers and loaders of shellcode do
                import ctypes
                libc = ctypes.CDLL(None, use_errno=True)
                libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
                address = ctypes.addressof(ctypes.c_char.from_buffer(plain))
                print("mprotect=" + ("ok" if libc.mprotect(address, 4096, 1 | 4) == 0 else "denied"))
                print("readonly=" + ("ok" if libc.mprotect(address, 4096, 1) == 0 else "denied"))
                """);
    }

    @BeforeEach
    void clean() {
        reset();
    }

    /** Runs the command line in a sandbox that has this one preset. */
    String withPreset(String preset, String action, String commandLine) throws Exception {
        return inSandbox("{presets: [{name: " + preset + "}], action: " + action + "}", AUDIT, sandbox -> {
            assertTrue(notes.isEmpty(), "the preset reaches the kernel: " + notes);
            return sandbox.run(commandLine);
        });
    }

    static void assertPreset(Alert alert, String enforcer, String operation, String action) {
        assertEquals(enforcer, alert.enforcer());
        assertEquals(operation, alert.operation());
        assertEquals(action, alert.action());
        assertEquals(action.equals("Block") ? "Permission denied" : "Passed", alert.result());
        assertEquals("lsm-test", alert.policyName());
        assertEquals("MatchedPolicy", alert.type());
        assertEquals("main", alert.context().containerName());
    }

    @Test
    void filelessExecBlocksProgramsRunFromMemory() throws Exception {
        String output = withPreset("filelessExec", "Block", MEMFD_EXEC);
        assertTrue(output.contains("PermissionError") && output.contains("status=1"), output);
        Alert alert = alert(a -> a.resource().equals("memfd:payload"));
        assertPreset(alert, "PRESET-FilelessExecutionPreset", "Process", "Block");
        assertEquals("/usr/bin/python3.11", alert.source());
    }

    @Test
    void filelessExecBlocksProgramsInDevShm() throws Exception {
        String output = withPreset("filelessExec", "Block", "mkdir -p /dev/shm && cp /usr/bin/true /dev/shm/tool"
                + " && /dev/shm/tool; echo tool=$?; /usr/bin/true; echo true=$?");
        assertTrue(output.contains("tool=126") && output.contains("true=0"), output);
        assertPreset(alert(on("/dev/shm/tool")), "PRESET-FilelessExecutionPreset", "Process", "Block");
    }

    @Test
    void filelessExecAuditReportsAndLetsItRun() throws Exception {
        String output = withPreset("filelessExec", "Audit", MEMFD_EXEC);
        assertTrue(output.contains("status=0"), output);
        assertPreset(alert(a -> a.resource().equals("memfd:payload")), "PRESET-FilelessExecutionPreset",
                "Process", "Audit");
    }

    @Test
    void anonymousMapExecBlocksExecutableAnonymousMemoryOnly() throws Exception {
        String output = withPreset("anonymousMapExec", "Block", ANON_EXEC_MAP);
        assertTrue(output.contains("exec=denied") && output.contains("plain=ok"), output);
        assertTrue(output.contains("mprotect=denied") && output.contains("readonly=ok"), output);
        Alert alert = alert(a -> a.enforcer().equals("PRESET-AnonMapExecutionPreset"));
        assertPreset(alert, "PRESET-AnonMapExecutionPreset", "File", "Block");
        assertEquals("PROT_READ|PROT_WRITE|PROT_EXEC,MAP_SHARED|MAP_ANONYMOUS", alert.data());
    }

    @Test
    void anonymousMapExecAuditReportsAndMaps() throws Exception {
        String output = withPreset("anonymousMapExec", "Audit", ANON_EXEC_MAP);
        assertTrue(output.contains("exec=ok"), output);
        assertPreset(alert(a -> a.enforcer().equals("PRESET-AnonMapExecutionPreset")),
                "PRESET-AnonMapExecutionPreset", "File", "Audit");
    }

    @Test
    void protectEnvBlocksOtherProcessesEnvironmentButNotOwn() throws Exception {
        String output = withPreset("protectEnv", "Block", "cat /proc/self/environ > /dev/null; echo own=$?;"
                + " cat /proc/" + HOST_PID + "/environ > /dev/null; echo other=$?;"
                + " cat /proc/" + HOST_PID + "/status > /dev/null; echo status=$?");
        assertTrue(output.contains("own=0") && output.contains("other=1") && output.contains("status=0"), output);
        Alert alert = alert(on("/proc/" + HOST_PID + "/environ"));
        assertPreset(alert, "PRESET-ProtectEnvPreset", "File", "Block");
        assertEquals("/usr/bin/cat", alert.source());
    }

    @Test
    void protectEnvAuditReportsAndLetsRead() throws Exception {
        String output = withPreset("protectEnv", "Audit", "cat /proc/" + HOST_PID + "/environ > /dev/null; echo other=$?");
        assertTrue(output.contains("other=0"), output);
        assertPreset(alert(on("/proc/" + HOST_PID + "/environ")), "PRESET-ProtectEnvPreset", "File", "Audit");
    }

    @Test
    void protectProcBlocksOtherProcessesProcFilesButNotOwnOrTheSystemsOnes() throws Exception {
        String output = withPreset("protectProc", "Block", "cat /proc/self/status > /dev/null; echo own=$?;"
                + " cat /proc/" + HOST_PID + "/status > /dev/null; echo other=$?;"
                + " cat /proc/meminfo > /dev/null; echo meminfo=$?");
        assertTrue(output.contains("own=0") && output.contains("other=1") && output.contains("meminfo=0"), output);
        assertPreset(alert(on("/proc/" + HOST_PID + "/status")), "PRESET-ProtectProcPreset", "File", "Block");
    }

    /** The descriptor number this JVM holds the file open under (found through its own /proc/self/fd). */
    static int descriptorOf(Path file) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException gone) {
                    return false;
                }
            }).map(fd -> Integer.parseInt(fd.getFileName().toString())).findFirst().orElseThrow();
        }
    }

    /**
     * /proc/<pid>/fd/N, cwd and root of another process lead into its files by names no path rule knows: under
     * protectProc they are neither followed nor read, while the process's own links still work.
     */
    @Test
    void protectProcBlocksTheLinksIntoAnotherProcesssFilesButNotOwn() throws Exception {
        Path secret = DIR.resolve("held-open");
        Files.writeString(secret, "secret\n");
        try (var held = new java.io.RandomAccessFile(secret.toFile(), "r")) {
            String other = "/proc/" + HOST_PID;
            String output = withPreset("protectProc", "Block", each("/usr/bin/cat " + other + "/fd/" + descriptorOf(secret),
                    "/usr/bin/ls " + other + "/cwd/", "/usr/bin/cat " + other + "/root/etc/hostname",
                    "/usr/bin/readlink " + other + "/cwd", "/usr/bin/cat /proc/self/fd/3 3< " + secret,
                    "/usr/bin/ls /proc/self/cwd/", "/usr/bin/readlink /proc/self/exe"));
            assertTrue(output.contains("r0=1 r1=2 r2=1 r3=1 r4=0 r5=0 r6=0"), output);
            Alert alert = alert(a -> a.data().equals("lsm=SECURITY_INODE_FOLLOW_LINK"));
            assertPreset(alert, "PRESET-ProtectProcPreset", "File", "Block");
            assertTrue(alert.resource().startsWith(other + "/"), alert.resource());
            alert(a -> a.data().equals("lsm=SECURITY_INODE_READLINK") && a.resource().equals(other + "/cwd"));
        }
    }

    @Test
    void protectProcAuditReportsTheLinksAndLetsThemBeFollowed() throws Exception {
        String output = withPreset("protectProc", "Audit", each("/usr/bin/ls /proc/" + HOST_PID + "/cwd/"));
        assertTrue(output.contains("r0=0"), output);
        assertPreset(alert(a -> a.data().equals("lsm=SECURITY_INODE_FOLLOW_LINK")), "PRESET-ProtectProcPreset",
                "File", "Audit");
    }

    @Test
    void protectProcAuditReportsAndLetsRead() throws Exception {
        String output = withPreset("protectProc", "Audit", "cat /proc/" + HOST_PID + "/cmdline > /dev/null; echo other=$?");
        assertTrue(output.contains("other=0"), output);
        assertPreset(alert(on("/proc/" + HOST_PID + "/cmdline")), "PRESET-ProtectProcPreset", "File", "Audit");
    }

    /**
     * A terminal session entered from outside (nsenter, as kubectl exec -it does) cannot run programs; one that
     * is not on a terminal can, and so can a terminal session the container started itself.
     */
    @Test
    void execBlocksTerminalSessionsEnteredFromOutside() throws Exception {
        inSandbox("{presets: [{name: exec}], action: Block}", AUDIT, sandbox -> {
            String[] enter = {"/usr/bin/nsenter", "--target", Long.toString(sandbox.pid), "--pid", "--mount"};
            assertTrue(run(concat(enter, "/usr/bin/script", "-qec", "/usr/bin/true", "/dev/null")) != 0,
                    "on a terminal: blocked");
            Alert alert = alert(a -> a.enforcer().equals("PRESET-ExecPreset"));
            assertPreset(alert, "PRESET-ExecPreset", "Process", "Block");
            assertEquals(0, run(concat(enter, "/usr/bin/sh", "-c", "/usr/bin/true")), "no terminal: allowed");
            String inside = sandbox.run("/usr/bin/script -qec /usr/bin/true /dev/null; echo inside=$?");
            assertTrue(inside.contains("inside=0"), "the container's own terminal session: " + inside);
            return null;
        });
    }

    @Test
    void execAuditReportsTerminalSessionsEnteredFromOutside() throws Exception {
        inSandbox("{presets: [{name: exec}], action: Audit}", AUDIT, sandbox -> {
            assertEquals(0, run("/usr/bin/nsenter", "--target", Long.toString(sandbox.pid), "--pid", "--mount",
                    "/usr/bin/script", "-qec", "/usr/bin/true", "/dev/null"));
            assertPreset(alert(a -> a.enforcer().equals("PRESET-ExecPreset")), "PRESET-ExecPreset", "Process",
                    "Audit");
            return null;
        });
    }

    static String[] concat(String[] first, String... rest) {
        String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    @Test
    void theHostIsNotGovernedByASandboxesPreset() throws Exception {
        inSandbox("{presets: [{name: protectEnv}, {name: protectProc}, {name: anonymousMapExec}], action: Block}",
                AUDIT, sandbox -> {
                    assertEquals(0, run("/usr/bin/cat", "/proc/1/environ"), "another process's environment");
                    assertEquals(0, run("/usr/bin/python3", "-c", "import mmap; mmap.mmap(-1, 4096, prot=7)"),
                            "executable anonymous memory");
                    return null;
                });
    }
}
