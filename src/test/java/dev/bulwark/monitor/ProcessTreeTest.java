package dev.bulwark.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.identity.KernelIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The process tree's bookkeeping: inheritance, exec sessions, the size cap, and procfs for older processes. */
class ProcessTreeTest {
    static final KernelIdentity CONTAINER = new KernelIdentity(4026532000L, 4026532001L);

    static MonitorEvent event(int kind, int tgid, int ppid, KernelIdentity identity, int nsTgid, int nsPpid,
            String path, List<String> argv, long... args) {
        long[] all = new long[6];
        System.arraycopy(args, 0, all, 0, args.length);
        return new MonitorEvent(1, tgid * 10L, tgid, tgid, ppid, 0, nsTgid, nsPpid, identity, kind, 59, 0, all, true,
                "comm", "", path, "", "/", new byte[KernelLayout.MONITOR_DATA], argv, null);
    }

    @Test
    void tenThousandShortLivedProcessesStayWithinTheCap() {
        ProcessTree tree = new ProcessTree(1000, Path.of("/nonexistent"));
        for (int pid = 100; pid < 10_100; pid++) {
            tree.fork(event(KernelLayout.MONITOR_FORK, 1, 0, KernelIdentity.HOST, 1, 0, "", List.of(), pid, pid));
            tree.exec(event(KernelLayout.MONITOR_EXEC, pid, 1, KernelIdentity.HOST, pid, 1, "/usr/bin/true",
                    List.of("true")));
            tree.exit(event(KernelLayout.MONITOR_EXIT, pid, 1, KernelIdentity.HOST, pid, 1, "", List.of()));
        }
        assertEquals(0, tree.size(), "every exited process left the live tree");
        assertTrue(tree.exitedSize() <= 125, "exited processes are kept only in a small bounded area");
        assertNotNull(tree.get(10_099), "the most recently exited are still known for late events");
        assertNull(tree.get(100), "the oldest exited are gone");
    }

    @Test
    void liveProcessesBeyondTheCapAreEvicted() {
        ProcessTree tree = new ProcessTree(1000, Path.of("/nonexistent"));
        for (int pid = 100; pid < 10_100; pid++) {
            tree.exec(event(KernelLayout.MONITOR_EXEC, pid, 1, KernelIdentity.HOST, pid, 1, "/usr/bin/sleep",
                    List.of("sleep", "1")));
        }
        assertEquals(1000, tree.size());
        assertEquals(9000, tree.evicted());
        assertEquals("/usr/bin/sleep 1", tree.get(10_099).command());
    }

    @Test
    void childrenInheritUntilTheyExecAndExecSessionsStartAtSetns() {
        ProcessTree tree = new ProcessTree(100, Path.of("/nonexistent"));
        tree.exec(event(KernelLayout.MONITOR_EXEC, 500, 400, CONTAINER, 1, 0, "/bin/sh", List.of("sh")));
        assertEquals("", tree.get(500).execSession(), "the container's init is no exec session");
        // A process entering the container from outside (its parent is not in the pid namespace), not pid 1.
        tree.exec(event(KernelLayout.MONITOR_EXEC, 600, 590, CONTAINER, 7, 0, "/bin/bash", List.of("bash")));
        String session = tree.get(600).execSession();
        assertTrue(!session.isEmpty());
        tree.fork(event(KernelLayout.MONITOR_FORK, 600, 590, CONTAINER, 7, 0, "", List.of(), 601, 6010));
        assertEquals("/bin/bash", tree.get(601).execPath(), "a child runs its parent's program until it execs");
        tree.exec(event(KernelLayout.MONITOR_EXEC, 601, 600, CONTAINER, 8, 7, "/bin/ls", List.of("ls", "-l")));
        assertEquals(session, tree.get(601).execSession(), "descendants stay in the session");
        assertEquals("/bin/ls -l", tree.get(601).command());
    }

    @Test
    void aProcessStartedBeforeTheAgentIsReadFromProcfs() throws Exception {
        ProcessTree tree = new ProcessTree(100, Path.of("/proc"));
        long pid = ProcessHandle.current().parent().orElseThrow().pid();
        ProcessTree.ProcessInfo parent = tree.get((int) pid);
        assertNotNull(parent);
        assertEquals(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString(), parent.execPath());
        assertEquals(1, tree.size(), "and kept from then on");
    }
}
