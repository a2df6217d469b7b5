package dev.bulwark.bpf;

import dev.bulwark.bpf.libbpf.Libbpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.OptionalInt;

/**
 * What the running kernel's BTF says about its LSM hooks: whether one exists (file_truncate and the ACL hooks
 * came in 6.2) and how many arguments it takes (inode_setattr gained an idmap in 6.3), so that the loader
 * attaches the programs this kernel can run.
 */
public final class KernelHooks {
    private KernelHooks() {
    }

    /** The number of arguments of the LSM hook, or empty when this kernel has no such hook (or no BTF). */
    public static OptionalInt arguments(String hook) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment btf = Libbpf.btf__load_vmlinux_btf(Libbpf.errnoState(call));
            if (btf.equals(MemorySegment.NULL)) {
                return OptionalInt.empty();
            }
            try {
                // BPF-LSM attaches to the kernel's bpf_lsm_<hook> stubs, which have the hook's signature.
                int func = Libbpf.btf__find_by_name_kind(btf, call.allocateFrom("bpf_lsm_" + hook),
                        Libbpf.BTF_KIND_FUNC);
                if (func < 0) {
                    return OptionalInt.empty();
                }
                int proto = info(btf, func, Libbpf.btf_type.TYPE);
                return OptionalInt.of(info(btf, proto, Libbpf.btf_type.INFO) & 0xffff);
            } finally {
                Libbpf.btf__free(btf);
            }
        }
    }

    private static int info(MemorySegment btf, int id, long field) {
        MemorySegment type = Libbpf.btf__type_by_id(btf, id).reinterpret(Libbpf.btf_type.LAYOUT.byteSize());
        return type.get(ValueLayout.JAVA_INT, field);
    }
}
