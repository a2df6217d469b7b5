package dev.bulwark.bpf.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** The libc calls the bindings need: closing the descriptors libbpf hands out, and the boot clock. */
@SuppressWarnings("java:S100")
public final class Libc {
    private Libc() {
    }

    private static final class close {
        static final MethodHandle HANDLE = Libbpf.LINKER.downcallHandle(
                Libbpf.LINKER.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    public static int close(int fd) {
        try {
            return (int) close.HANDLE.invokeExact(fd);
        } catch (Throwable t) {
            throw Libbpf.rethrow(t);
        }
    }

    /** clock_gettime's CLOCK_BOOTTIME: the clock BPF's bpf_ktime_get_boot_ns reads. */
    public static final int CLOCK_BOOTTIME = 7;

    /** struct timespec: tv_sec, tv_nsec. */
    public static final MemoryLayout TIMESPEC = MemoryLayout.structLayout(JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec"));

    private static final class clock_gettime {
        static final MethodHandle HANDLE = Libbpf.LINKER.downcallHandle(
                Libbpf.LINKER.defaultLookup().find("clock_gettime").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.critical(false));
    }

    public static int clock_gettime(int clock, MemorySegment timespec) {
        try {
            return (int) clock_gettime.HANDLE.invokeExact(clock, timespec);
        } catch (Throwable t) {
            throw Libbpf.rethrow(t);
        }
    }
}
