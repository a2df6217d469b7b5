package dev.bulwark.identity;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the kernel tells endpoints apart: the inode numbers of a task's pid and mount namespaces. Processes of
 * the host (the initial pid namespace) all map to {@link #HOST}.
 */
public record KernelIdentity(long pidNs, long mntNs) {
    public static final KernelIdentity HOST = new KernelIdentity(0, 0);

    /** The namespaces a running process is in, from /proc/PID/ns (as a container's identity). */
    public static KernelIdentity ofProcess(long pid) throws IOException {
        return ofProcess(Path.of("/proc"), pid);
    }

    /** The same, with the node's procfs mounted elsewhere (a DaemonSet's /host/procfs). */
    public static KernelIdentity ofProcess(Path procfs, long pid) throws IOException {
        return new KernelIdentity(namespaceInode(procfs, pid, "pid"), namespaceInode(procfs, pid, "mnt"));
    }

    private static long namespaceInode(Path procfs, long pid, String kind) throws IOException {
        String link = Files.readSymbolicLink(procfs.resolve(Long.toString(pid)).resolve("ns").resolve(kind)).toString();
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    @JsonIgnore
    public boolean isHost() {
        return equals(HOST);
    }
}
