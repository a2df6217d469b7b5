package dev.bulwark.bpf.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * libbpf 1.x, bound in the shape jextract generates (see jextract/): one holder class per function with its
 * descriptor and handle, and a static method of the C name. Functions that fail through errno take the
 * captured call state first; see {@link #errnoState(Arena)}. (Long as generated bindings are: one block per
 * function of jextract/symbols.txt.)
 */
@SuppressWarnings({"java:S100", "java:S101"}) // C names, as jextract keeps them
public final class Libbpf {
    private Libbpf() {
    }

    public static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBBPF = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
    static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    static final VarHandle ERRNO_HANDLE =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** A segment that receives errno of the next call given it. */
    public static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    public static int errno(MemorySegment state) {
        return (int) ERRNO_HANDLE.get(state, 0L);
    }

    static MethodHandle handle(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment address = LIBBPF.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libbpf.so.1 has no " + name));
        return LINKER.downcallHandle(address, descriptor, options);
    }

    static RuntimeException rethrow(Throwable t) {
        return t instanceof RuntimeException r ? r : new IllegalStateException("libbpf call failed", t);
    }

    // struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts)
    private static final class bpf_object__open_file {
        static final MethodHandle HANDLE = handle("bpf_object__open_file",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), ERRNO);
    }

    public static MemorySegment bpf_object__open_file(MemorySegment errno, MemorySegment path, MemorySegment opts) {
        try {
            return (MemorySegment) bpf_object__open_file.HANDLE.invokeExact(errno, path, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz,
    //                                        const struct bpf_object_open_opts *opts)
    private static final class bpf_object__open_mem {
        static final MethodHandle HANDLE = handle("bpf_object__open_mem",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), ERRNO);
    }

    public static MemorySegment bpf_object__open_mem(MemorySegment errno, MemorySegment buffer, long size,
            MemorySegment opts) {
        try {
            return (MemorySegment) bpf_object__open_mem.HANDLE.invokeExact(errno, buffer, size, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_object__load(struct bpf_object *obj)
    private static final class bpf_object__load {
        static final MethodHandle HANDLE = handle("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_object__load(MemorySegment object) {
        try {
            return (int) bpf_object__load.HANDLE.invokeExact(object);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // void bpf_object__close(struct bpf_object *object)
    private static final class bpf_object__close {
        static final MethodHandle HANDLE = handle("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    }

    public static void bpf_object__close(MemorySegment object) {
        try {
            bpf_object__close.HANDLE.invokeExact(object);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // struct bpf_program *bpf_object__next_program(const struct bpf_object *obj, struct bpf_program *prog)
    private static final class bpf_object__next_program {
        static final MethodHandle HANDLE = handle("bpf_object__next_program",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }

    public static MemorySegment bpf_object__next_program(MemorySegment object, MemorySegment program) {
        try {
            return (MemorySegment) bpf_object__next_program.HANDLE.invokeExact(object, program);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name)
    private static final class bpf_object__find_map_by_name {
        static final MethodHandle HANDLE = handle("bpf_object__find_map_by_name",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }

    public static MemorySegment bpf_object__find_map_by_name(MemorySegment object, MemorySegment name) {
        try {
            return (MemorySegment) bpf_object__find_map_by_name.HANDLE.invokeExact(object, name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // struct bpf_map *bpf_object__next_map(const struct bpf_object *obj, const struct bpf_map *map)
    private static final class bpf_object__next_map {
        static final MethodHandle HANDLE = handle("bpf_object__next_map",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    }

    public static MemorySegment bpf_object__next_map(MemorySegment object, MemorySegment map) {
        try {
            return (MemorySegment) bpf_object__next_map.HANDLE.invokeExact(object, map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_link__fd(const struct bpf_link *link)
    private static final class bpf_link__fd {
        static final MethodHandle HANDLE = handle("bpf_link__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_link__fd(MemorySegment link) {
        try {
            return (int) bpf_link__fd.HANDLE.invokeExact(link);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // const char *bpf_program__name(const struct bpf_program *prog)
    private static final class bpf_program__name {
        static final MethodHandle HANDLE = handle("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    public static MemorySegment bpf_program__name(MemorySegment program) {
        try {
            return (MemorySegment) bpf_program__name.HANDLE.invokeExact(program);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_program__fd(const struct bpf_program *prog)
    private static final class bpf_program__fd {
        static final MethodHandle HANDLE = handle("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_program__fd(MemorySegment program) {
        try {
            return (int) bpf_program__fd.HANDLE.invokeExact(program);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len)
    private static final class bpf_obj_get_info_by_fd {
        static final MethodHandle HANDLE = handle("bpf_obj_get_info_by_fd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    public static int bpf_obj_get_info_by_fd(int fd, MemorySegment info, MemorySegment infoLength) {
        try {
            return (int) bpf_obj_get_info_by_fd.HANDLE.invokeExact(fd, info, infoLength);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_enable_stats(enum bpf_stats_type type)
    private static final class bpf_enable_stats {
        static final MethodHandle HANDLE = handle("bpf_enable_stats", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    public static int bpf_enable_stats(int type) {
        try {
            return (int) bpf_enable_stats.HANDLE.invokeExact(type);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // struct bpf_link *bpf_program__attach(const struct bpf_program *prog)
    private static final class bpf_program__attach {
        static final MethodHandle HANDLE = handle("bpf_program__attach",
                FunctionDescriptor.of(ADDRESS, ADDRESS), ERRNO);
    }

    public static MemorySegment bpf_program__attach(MemorySegment errno, MemorySegment program) {
        try {
            return (MemorySegment) bpf_program__attach.HANDLE.invokeExact(errno, program);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map__set_pin_path(struct bpf_map *map, const char *path)
    private static final class bpf_map__set_pin_path {
        static final MethodHandle HANDLE = handle("bpf_map__set_pin_path",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    public static int bpf_map__set_pin_path(MemorySegment map, MemorySegment path) {
        try {
            return (int) bpf_map__set_pin_path.HANDLE.invokeExact(map, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map__set_max_entries(struct bpf_map *map, __u32 max_entries)
    private static final class bpf_map__set_max_entries {
        static final MethodHandle HANDLE = handle("bpf_map__set_max_entries",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    public static int bpf_map__set_max_entries(MemorySegment map, int maxEntries) {
        try {
            return (int) bpf_map__set_max_entries.HANDLE.invokeExact(map, maxEntries);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_link__pin(struct bpf_link *link, const char *path)
    private static final class bpf_link__pin {
        static final MethodHandle HANDLE = handle("bpf_link__pin", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    public static int bpf_link__pin(MemorySegment link, MemorySegment path) {
        try {
            return (int) bpf_link__pin.HANDLE.invokeExact(link, path);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_link__destroy(struct bpf_link *link)
    private static final class bpf_link__destroy {
        static final MethodHandle HANDLE = handle("bpf_link__destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_link__destroy(MemorySegment link) {
        try {
            return (int) bpf_link__destroy.HANDLE.invokeExact(link);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map__fd(const struct bpf_map *map)
    private static final class bpf_map__fd {
        static final MethodHandle HANDLE = handle("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_map__fd(MemorySegment map) {
        try {
            return (int) bpf_map__fd.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_object__btf_fd(const struct bpf_object *obj)
    private static final class bpf_object__btf_fd {
        static final MethodHandle HANDLE = handle("bpf_object__btf_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_object__btf_fd(MemorySegment object) {
        try {
            return (int) bpf_object__btf_fd.HANDLE.invokeExact(object);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // __u32 bpf_map__btf_key_type_id(const struct bpf_map *map)
    private static final class bpf_map__btf_key_type_id {
        static final MethodHandle HANDLE = handle("bpf_map__btf_key_type_id",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_map__btf_key_type_id(MemorySegment map) {
        try {
            return (int) bpf_map__btf_key_type_id.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // __u32 bpf_map__btf_value_type_id(const struct bpf_map *map)
    private static final class bpf_map__btf_value_type_id {
        static final MethodHandle HANDLE = handle("bpf_map__btf_value_type_id",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    public static int bpf_map__btf_value_type_id(MemorySegment map) {
        try {
            return (int) bpf_map__btf_value_type_id.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map_create(enum bpf_map_type map_type, const char *map_name, __u32 key_size, __u32 value_size,
    //                    __u32 max_entries, const struct bpf_map_create_opts *opts)
    private static final class bpf_map_create {
        static final MethodHandle HANDLE = handle("bpf_map_create",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    public static int bpf_map_create(int type, MemorySegment name, int keySize, int valueSize, int maxEntries,
            MemorySegment opts) {
        try {
            return (int) bpf_map_create.HANDLE.invokeExact(type, name, keySize, valueSize, maxEntries, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
    private static final class bpf_map_update_elem {
        static final MethodHandle HANDLE = handle("bpf_map_update_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }

    public static int bpf_map_update_elem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) bpf_map_update_elem.HANDLE.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map_lookup_elem(int fd, const void *key, void *value)
    private static final class bpf_map_lookup_elem {
        static final MethodHandle HANDLE = handle("bpf_map_lookup_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    public static int bpf_map_lookup_elem(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) bpf_map_lookup_elem.HANDLE.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map_get_next_key(int fd, const void *key, void *next_key)
    private static final class bpf_map_get_next_key {
        static final MethodHandle HANDLE = handle("bpf_map_get_next_key",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    public static int bpf_map_get_next_key(int fd, MemorySegment key, MemorySegment nextKey) {
        try {
            return (int) bpf_map_get_next_key.HANDLE.invokeExact(fd, key, nextKey);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int bpf_map_delete_elem(int fd, const void *key)
    private static final class bpf_map_delete_elem {
        static final MethodHandle HANDLE = handle("bpf_map_delete_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    public static int bpf_map_delete_elem(int fd, MemorySegment key) {
        try {
            return (int) bpf_map_delete_elem.HANDLE.invokeExact(fd, key);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // typedef int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size)
    public static final FunctionDescriptor RING_BUFFER_SAMPLE_FN = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS,
            JAVA_LONG);

    // struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn sample_cb, void *ctx,
    //                                      const struct ring_buffer_opts *opts)
    private static final class ring_buffer__new {
        static final MethodHandle HANDLE = handle("ring_buffer__new",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), ERRNO);
    }

    public static MemorySegment ring_buffer__new(MemorySegment errno, int mapFd, MemorySegment sampleFn,
            MemorySegment ctx, MemorySegment opts) {
        try {
            return (MemorySegment) ring_buffer__new.HANDLE.invokeExact(errno, mapFd, sampleFn, ctx, opts);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int ring_buffer__poll(struct ring_buffer *rb, int timeout_ms)
    private static final class ring_buffer__poll {
        static final MethodHandle HANDLE = handle("ring_buffer__poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    public static int ring_buffer__poll(MemorySegment ringBuffer, int timeoutMillis) {
        try {
            return (int) ring_buffer__poll.HANDLE.invokeExact(ringBuffer, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // void ring_buffer__free(struct ring_buffer *rb)
    private static final class ring_buffer__free {
        static final MethodHandle HANDLE = handle("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));
    }

    public static void ring_buffer__free(MemorySegment ringBuffer) {
        try {
            ring_buffer__free.HANDLE.invokeExact(ringBuffer);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // int libbpf_strerror(int err, char *buf, size_t size)
    private static final class libbpf_strerror {
        static final MethodHandle HANDLE = handle("libbpf_strerror",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    public static int libbpf_strerror(int err, MemorySegment buffer, long size) {
        try {
            return (int) libbpf_strerror.HANDLE.invokeExact(err, buffer, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** struct bpf_map_create_opts (libbpf 1.1). */
    public static final class bpf_map_create_opts {
        private bpf_map_create_opts() {
        }

        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_LONG.withName("sz"),
                JAVA_INT.withName("btf_fd"),
                JAVA_INT.withName("btf_key_type_id"),
                JAVA_INT.withName("btf_value_type_id"),
                JAVA_INT.withName("btf_vmlinux_value_type_id"),
                JAVA_INT.withName("inner_map_fd"),
                JAVA_INT.withName("map_flags"),
                JAVA_LONG.withName("map_extra"),
                JAVA_INT.withName("numa_node"),
                JAVA_INT.withName("map_ifindex")).withName("bpf_map_create_opts");

        public static final long SZ = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("sz"));
        public static final long MAP_FLAGS = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("map_flags"));
        public static final long BTF_FD = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("btf_fd"));
        public static final long BTF_KEY_TYPE_ID =
                LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("btf_key_type_id"));
        public static final long BTF_VALUE_TYPE_ID =
                LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("btf_value_type_id"));
    }

    // int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)
    private static final class bpf_program__set_autoload {
        static final MethodHandle HANDLE = handle("bpf_program__set_autoload",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    }

    public static int bpf_program__set_autoload(MemorySegment program, boolean autoload) {
        try {
            return (int) bpf_program__set_autoload.HANDLE.invokeExact(program, autoload);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // bool bpf_program__autoload(const struct bpf_program *prog)
    private static final class bpf_program__autoload {
        static final MethodHandle HANDLE = handle("bpf_program__autoload",
                FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    }

    public static boolean bpf_program__autoload(MemorySegment program) {
        try {
            return (boolean) bpf_program__autoload.HANDLE.invokeExact(program);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // struct btf *btf__load_vmlinux_btf(void)
    private static final class btf__load_vmlinux_btf {
        static final MethodHandle HANDLE = handle("btf__load_vmlinux_btf", FunctionDescriptor.of(ADDRESS), ERRNO);
    }

    public static MemorySegment btf__load_vmlinux_btf(MemorySegment errno) {
        try {
            return (MemorySegment) btf__load_vmlinux_btf.HANDLE.invokeExact(errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // void btf__free(struct btf *btf)
    private static final class btf__free {
        static final MethodHandle HANDLE = handle("btf__free", FunctionDescriptor.ofVoid(ADDRESS));
    }

    public static void btf__free(MemorySegment btf) {
        try {
            btf__free.HANDLE.invokeExact(btf);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // __s32 btf__find_by_name_kind(const struct btf *btf, const char *type_name, __u32 kind)
    private static final class btf__find_by_name_kind {
        static final MethodHandle HANDLE = handle("btf__find_by_name_kind",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    public static int btf__find_by_name_kind(MemorySegment btf, MemorySegment name, int kind) {
        try {
            return (int) btf__find_by_name_kind.HANDLE.invokeExact(btf, name, kind);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // const struct btf_type *btf__type_by_id(const struct btf *btf, __u32 id)
    private static final class btf__type_by_id {
        static final MethodHandle HANDLE = handle("btf__type_by_id",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    }

    public static MemorySegment btf__type_by_id(MemorySegment btf, int id) {
        try {
            return (MemorySegment) btf__type_by_id.HANDLE.invokeExact(btf, id);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** struct btf_type (linux/btf.h): name_off, info (vlen in bits 0-15, kind in 24-28), size or type. */
    public static final class btf_type {
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("name_off"), JAVA_INT.withName("info"), JAVA_INT.withName("type"));
        public static final long INFO = 4;
        public static final long TYPE = 8;
    }

    /** BTF_KIND_FUNC (linux/btf.h). */
    public static final int BTF_KIND_FUNC = 12;
}
