package dev.bulwark.monitor;

import dev.bulwark.identity.KernelIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the node's processes run, by host pid: executable, arguments, working directory, terminal, user,
 * parent and exec session. Fed by the monitor's fork / exec / exit events. Its size is capped: exited
 * processes are kept a little while (late events still name them) in a small bounded area, and when live
 * processes exceed the cap the least recently active ones are evicted, counted. A process the tree never
 * saw start (it ran before the agent) is read from procfs.
 */
public final class ProcessTree {
    /** What an alert or log says about one process. */
    public record ProcessInfo(int hostPid, long startTime, int hostPpid, String execPath, List<String> args,
            String cwd, String tty, int uid, String execSession, KernelIdentity identity) {

        /** KubeArmor's Source for file and network events: the command line. */
        public String command() {
            return args.size() <= 1 ? execPath : execPath + " " + String.join(" ", args.subList(1, args.size()));
        }
    }

    private final int maxProcesses;
    private final int maxExited;
    private final Path procfs;
    private final Map<Integer, ProcessInfo> live;
    private final Map<Integer, ProcessInfo> exited;
    private long evicted;

    /**
     * @param maxProcesses most live processes held (least recently active evicted beyond it)
     * @param procfs where the node's /proc is (for processes older than the agent)
     */
    public ProcessTree(int maxProcesses, Path procfs) {
        this.maxProcesses = maxProcesses;
        this.maxExited = Math.max(16, maxProcesses / 8);
        this.procfs = procfs;
        this.live = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ProcessInfo> eldest) {
                if (size() > ProcessTree.this.maxProcesses) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
        this.exited = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ProcessInfo> eldest) {
                return size() > maxExited;
            }
        };
    }

    /** A new process: it runs what its parent ran until it execs. */
    public synchronized void fork(MonitorEvent event) {
        int child = (int) event.args()[0];
        ProcessInfo parent = find(event.tgid());
        String session = parent == null ? "" : parent.execSession();
        exited.remove(child);
        live.put(child, parent == null
                ? new ProcessInfo(child, event.args()[1], event.tgid(), "", List.of(), "", event.tty(), event.uid(),
                        session, event.identity())
                : new ProcessInfo(child, event.args()[1], event.tgid(), parent.execPath(), parent.args(),
                        parent.cwd(), parent.tty(), parent.uid(), session, event.identity()));
    }

    /**
     * A process runs a new program. In a container, a process whose parent is outside the container's pid
     * namespace entered it through setns (`kubectl exec`, `docker exec`): it starts an exec session, which
     * its descendants inherit.
     */
    public synchronized ProcessInfo exec(MonitorEvent event) {
        ProcessInfo before = find(event.tgid());
        String session = before == null ? "" : before.execSession();
        if (!event.identity().isHost() && event.nsPpid() == 0 && event.nsTgid() != 1 && session.isEmpty()) {
            session = Long.toHexString(event.startTime() ^ ((long) event.tgid() << 32));
        }
        ProcessInfo info = new ProcessInfo(event.tgid(), event.startTime(), event.ppid(), event.path(),
                event.argv(), event.cwd(), event.tty(), event.uid(), session, event.identity());
        exited.remove(event.tgid());
        live.put(event.tgid(), info);
        return info;
    }

    public synchronized void exit(MonitorEvent event) {
        ProcessInfo gone = live.remove(event.tgid());
        if (gone != null) {
            exited.put(event.tgid(), gone);
        }
    }

    /** The process with this host pid: known, recently exited, or read from procfs (null when gone). */
    public synchronized ProcessInfo get(int hostPid) {
        ProcessInfo info = find(hostPid);
        if (info == null) {
            info = fromProcfs(hostPid);
            if (info != null) {
                live.put(hostPid, info);
            }
        }
        return info;
    }

    private ProcessInfo find(int hostPid) {
        ProcessInfo info = live.get(hostPid);
        return info != null ? info : exited.get(hostPid);
    }

    /** A process that started before the agent: its executable, command line and directory from procfs. */
    private ProcessInfo fromProcfs(int hostPid) {
        Path dir = procfs.resolve(Integer.toString(hostPid));
        try {
            String exe = Files.readSymbolicLink(dir.resolve("exe")).toString();
            String cwd = "";
            try {
                cwd = Files.readSymbolicLink(dir.resolve("cwd")).toString();
            } catch (IOException e) {
                // another user's process may hide its directory; the executable is what matters
            }
            String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
            List<String> args = new ArrayList<>(Arrays.asList(cmdline.split("\0")));
            args.removeIf(String::isEmpty);
            int ppid = 0;
            for (String line : Files.readAllLines(dir.resolve("status"))) {
                if (line.startsWith("PPid:")) {
                    ppid = Integer.parseInt(line.substring(5).strip());
                }
            }
            return new ProcessInfo(hostPid, 0, ppid, exe, args, cwd, "", 0, "", null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Live processes held now. */
    public synchronized int size() {
        return live.size();
    }

    /** Exited processes still held for late events. */
    public synchronized int exitedSize() {
        return exited.size();
    }

    /** Live processes dropped because the cap was reached (their later events fall back to procfs). */
    public synchronized long evicted() {
        return evicted;
    }

    public int maxProcesses() {
        return maxProcesses;
    }
}
