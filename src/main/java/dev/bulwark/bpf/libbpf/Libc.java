package dev.bulwark.bpf.libbpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/** The one libc call the bindings need: closing the descriptors libbpf hands out. */
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
}
