package dev.bulwark.enforce;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.bpf.KernelLayout;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * selfProtection, the kernel's side: tells the enforcer which process is the agent (its pid and start, so that
 * a reused pid is not) and which BPF objects are its own, and renews the agent's lease every second. While the
 * lease holds, no other process may take the enforcer's maps, programs or links, signal the agent (its parent and
 * init excepted) or ptrace it. An agent that stops renewing (it died) is protected no longer after LEASE, so its
 * successor can take the pinned objects over.
 */
final class SelfProtection {
    static final long LEASE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final int identityFd;
    private final int objectsFd;
    private volatile boolean enabled;
    private final long pid = ProcessHandle.current().pid();
    private final long startTicks = startTicks();

    SelfProtection(Bpf bpf, boolean enabled) {
        this.identityFd = bpf.mapFd("self_identity");
        this.objectsFd = bpf.mapFd("protected_objects");
        this.enabled = enabled;
        // Registered whether on or not: enable() may turn protection on later.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(ValueLayout.JAVA_BYTE);
            one.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            MemorySegment key = arena.allocate(ValueLayout.JAVA_LONG);
            for (Bpf.ObjectId id : bpf.objectIds()) {
                key.set(ValueLayout.JAVA_LONG, 0, ((long) id.kind() << 32) | Integer.toUnsignedLong(id.id()));
                Bpf.update(objectsFd, key, one, "the agent's BPF object ids");
            }
        }
        renew();
    }

    /** Writes who the agent is with a fresh lease (or that protection is off). */
    void renew() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment self = arena.allocate(KernelLayout.SELF_IDENTITY);
            self.set(ValueLayout.JAVA_INT, KernelLayout.offset(KernelLayout.SELF_IDENTITY, "tgid"), (int) pid);
            self.set(ValueLayout.JAVA_INT, KernelLayout.offset(KernelLayout.SELF_IDENTITY, "enabled"), enabled ? 1 : 0);
            self.set(ValueLayout.JAVA_LONG, KernelLayout.offset(KernelLayout.SELF_IDENTITY, "start_ticks"), startTicks);
            self.set(ValueLayout.JAVA_LONG, KernelLayout.offset(KernelLayout.SELF_IDENTITY, "lease_until_ns"),
                    System.nanoTime() + LEASE_NANOS); // CLOCK_MONOTONIC, as bpf_ktime_get_ns
            Bpf.update(identityFd, zero, self, "the agent's identity (selfProtection)");
        }
    }

    /** Turns protection on or off from now on. */
    void enable(boolean on) {
        enabled = on;
        renew();
    }

    boolean enabled() {
        return enabled;
    }

    /** Ends the lease now (the agent stops the normal way: its successor need not wait). */
    void release() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(ValueLayout.JAVA_INT);
            Bpf.update(identityFd, zero, arena.allocate(KernelLayout.SELF_IDENTITY), "the agent's identity");
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }

    /** This process's start in USER_HZ ticks since boot: field 22 of /proc/self/stat, after the command's ")". */
    static long startTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[19]); // fields from the 3rd: the 22nd is index 19
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("selfProtection: cannot read this process's start from /proc/self/stat",
                    e);
        }
    }
}
