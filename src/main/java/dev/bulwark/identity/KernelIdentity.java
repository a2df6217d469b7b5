package dev.bulwark.identity;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * How the kernel tells endpoints apart: the inode numbers of a task's pid and mount namespaces. Processes of
 * the host (the initial pid namespace) all map to {@link #HOST}.
 */
public record KernelIdentity(long pidNs, long mntNs) {
    public static final KernelIdentity HOST = new KernelIdentity(0, 0);

    @JsonIgnore
    public boolean isHost() {
        return equals(HOST);
    }
}
