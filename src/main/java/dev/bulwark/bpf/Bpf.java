package dev.bulwark.bpf;

import dev.bulwark.bpf.libbpf.Libbpf;
import dev.bulwark.bpf.libbpf.Libc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded BPF object and its attached programs, over the raw bindings: every failure becomes a
 * {@link BpfException} with the errno in words, and every native resource is released on close. (Past 300
 * lines: each libbpf call wrapped once, with its error; the object, map and program operations belong together.)
 */
public final class Bpf implements AutoCloseable {
    /** bpf_map_type values used here (uapi/linux/bpf.h). */
    public static final int MAP_TYPE_HASH = 1;
    /**
     * BPF_F_NO_PREALLOC, as the template in enforcer.bpf.c: entries are allocated on use. (The kernel does not
     * compare max_entries of hash inner maps, so each endpoint's map is sized to its configured limit.)
     */
    public static final int INNER_MAP_FLAGS = 1;

    private final MemorySegment object;
    private final List<MemorySegment> links = new ArrayList<>();

    private Bpf(MemorySegment object) {
        this.object = object;
    }

    /**
     * Opens and loads an object (the verifier runs here), then attaches all its programs. With a pin
     * directory, the named maps are pinned there, or taken over when a previous agent pinned them, and every
     * link is pinned too: enforcement then outlives the agent, and a new agent attaches its programs before it
     * lets go of the old ones, so no moment goes unguarded.
     */
    public static Bpf load(byte[] elf, Path pinDir, List<String> pinnedMaps, Map<String, Integer> sizes) {
        return load(elf, pinDir, pinnedMaps, sizes, Set.of());
    }

    /** The same, leaving out the named programs (hooks this kernel lacks, variants for other kernels). */
    public static Bpf load(byte[] elf, Path pinDir, List<String> pinnedMaps, Map<String, Integer> sizes,
            Set<String> leftOut) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libbpf.errnoState(call);
            MemorySegment buffer = call.allocate(elf.length);
            buffer.copyFrom(MemorySegment.ofArray(elf));
            MemorySegment object = Libbpf.bpf_object__open_mem(errno, buffer, elf.length, MemorySegment.NULL);
            if (object.equals(MemorySegment.NULL)) {
                throw new BpfException("bpf_object__open_mem", Libbpf.errno(errno));
            }
            Bpf bpf = new Bpf(object);
            try {
                for (Map.Entry<String, Integer> size : sizes.entrySet()) {
                    int set = Libbpf.bpf_map__set_max_entries(bpf.map(call, size.getKey()), size.getValue());
                    if (set < 0) {
                        throw new BpfException("sizing map " + size.getKey(), -set);
                    }
                }
                for (MemorySegment program = Libbpf.bpf_object__next_program(object, MemorySegment.NULL);
                        !program.equals(MemorySegment.NULL);
                        program = Libbpf.bpf_object__next_program(object, program)) {
                    if (leftOut.contains(Libbpf.bpf_program__name(program).reinterpret(256).getString(0))) {
                        Libbpf.bpf_program__set_autoload(program, false);
                    }
                }
                if (pinDir != null) {
                    Files.createDirectories(pinDir);
                    for (String map : pinnedMaps) {
                        int set = Libbpf.bpf_map__set_pin_path(bpf.map(call, map),
                                call.allocateFrom(pinDir.resolve(map).toString()));
                        if (set < 0) {
                            throw new BpfException("pinning map " + map, -set);
                        }
                    }
                }
                int loaded = Libbpf.bpf_object__load(object);
                if (loaded < 0) {
                    throw new BpfException("loading the BPF programs (verifier output above)", -loaded);
                }
                bpf.attachAll(call, pinDir);
                return bpf;
            } catch (IOException e) {
                bpf.close();
                throw new UncheckedIOException("pinning under " + pinDir, e);
            } catch (RuntimeException e) {
                bpf.close();
                throw e;
            }
        }
    }

    private MemorySegment map(Arena call, String name) {
        MemorySegment map = Libbpf.bpf_object__find_map_by_name(object, call.allocateFrom(name));
        if (map.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("the BPF object has no map " + name);
        }
        return map;
    }

    private void attachAll(Arena call, Path pinDir) throws IOException {
        MemorySegment errno = Libbpf.errnoState(call);
        for (MemorySegment program = Libbpf.bpf_object__next_program(object, MemorySegment.NULL);
                !program.equals(MemorySegment.NULL);
                program = Libbpf.bpf_object__next_program(object, program)) {
            if (!Libbpf.bpf_program__autoload(program)) {
                continue;
            }
            MemorySegment link = Libbpf.bpf_program__attach(errno, program);
            String name = Libbpf.bpf_program__name(program).reinterpret(256).getString(0);
            if (link.equals(MemorySegment.NULL)) {
                throw new BpfException("attaching " + name, Libbpf.errno(errno));
            }
            links.add(link);
            if (pinDir != null) {
                // The new program is attached: only now may the previous agent's link go.
                Path pin = pinDir.resolve("link_" + name);
                Files.deleteIfExists(pin);
                int pinned = Libbpf.bpf_link__pin(link, call.allocateFrom(pin.toString()));
                if (pinned < 0) {
                    throw new BpfException("pinning the link of " + name, -pinned);
                }
            }
        }
    }

    /** A BPF object's kind (enum bulwark_object) and its id, which the kernel gives every map, program and link. */
    public record ObjectId(int kind, int id) {
        public static final int MAP = 1;
        public static final int PROG = 2;
        public static final int LINK = 3;
    }

    /** The ids of every map, program and link of this object (those it could tell). */
    public List<ObjectId> objectIds() {
        List<ObjectId> ids = new ArrayList<>();
        for (MemorySegment map = Libbpf.bpf_object__next_map(object, MemorySegment.NULL);
                !map.equals(MemorySegment.NULL); map = Libbpf.bpf_object__next_map(object, map)) {
            idOf(Libbpf.bpf_map__fd(map), ObjectId.MAP, ids);
        }
        for (MemorySegment program = Libbpf.bpf_object__next_program(object, MemorySegment.NULL);
                !program.equals(MemorySegment.NULL); program = Libbpf.bpf_object__next_program(object, program)) {
            idOf(Libbpf.bpf_program__fd(program), ObjectId.PROG, ids);
        }
        for (MemorySegment link : links) {
            idOf(Libbpf.bpf_link__fd(link), ObjectId.LINK, ids);
        }
        return ids;
    }

    /** The id of the map, program or link behind a descriptor (bpf_{map,prog,link}_info all start: type, id). */
    public static void idOf(int fd, int kind, List<ObjectId> ids) {
        if (fd < 0) {
            return;
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment info = call.allocate(8);
            MemorySegment length = call.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, 8);
            if (Libbpf.bpf_obj_get_info_by_fd(fd, info, length) == 0) {
                ids.add(new ObjectId(kind, info.get(ValueLayout.JAVA_INT, 4)));
            }
        }
    }

    private static final long RUN_TIME_NS = KernelLayout.offset(KernelLayout.BPF_PROG_INFO, "run_time_ns");
    private static final long RUN_CNT = KernelLayout.offset(KernelLayout.BPF_PROG_INFO, "run_cnt");

    /** How long a program has run in all, and how often, as the kernel counts with bpf_stats on. */
    public record ProgramStats(long runTimeNs, long runCount) {
    }

    /** Each program of this object by name, with its counters (zero while bpf_stats is off). */
    public Map<String, ProgramStats> programStats() {
        Map<String, ProgramStats> stats = new java.util.TreeMap<>();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment info = call.allocate(KernelLayout.BPF_PROG_INFO);
            MemorySegment length = call.allocate(ValueLayout.JAVA_INT);
            for (MemorySegment program = Libbpf.bpf_object__next_program(object, MemorySegment.NULL);
                    !program.equals(MemorySegment.NULL);
                    program = Libbpf.bpf_object__next_program(object, program)) {
                info.fill((byte) 0);
                length.set(ValueLayout.JAVA_INT, 0, (int) KernelLayout.BPF_PROG_INFO.byteSize());
                if (Libbpf.bpf_obj_get_info_by_fd(Libbpf.bpf_program__fd(program), info, length) == 0) {
                    stats.put(Libbpf.bpf_program__name(program).reinterpret(256).getString(0), new ProgramStats(
                            info.get(ValueLayout.JAVA_LONG, RUN_TIME_NS), info.get(ValueLayout.JAVA_LONG, RUN_CNT)));
                }
            }
        }
        return stats;
    }

    /**
     * Turns bpf_stats on (BPF_STATS_RUN_TIME) for as long as the returned descriptor stays open; each program
     * run then costs two clock reads more.
     */
    public static int enableStats() {
        int fd = Libbpf.bpf_enable_stats(0);
        if (fd < 0) {
            throw new BpfException("enabling bpf_stats", -fd);
        }
        return fd;
    }

    /** A BPF object built into the application (src/main/resources/bpf). */
    public static byte[] resource(String path) {
        try (InputStream in = Bpf.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file descriptor of one of the object's maps. */
    public int mapFd(String name) {
        try (Arena call = Arena.ofConfined()) {
            return Libbpf.bpf_map__fd(map(call, name));
        }
    }

    /**
     * A new, empty map shaped exactly like one of the object's maps (type, key and value with their BTF, flags)
     * but with its own size: what a hash-of-maps accepts as an inner map. The caller closes the descriptor.
     */
    public int createLike(String template, int maxEntries) {
        return createLike(template, "bw_rules", (int) KernelLayout.RULE_KEY.byteSize(),
                (int) KernelLayout.RULE_VALUE.byteSize(), maxEntries);
    }

    /** As above, for a template with this key and value size; name: what the map is called (selfProtection knows). */
    public int createLike(String template, String name, int keySize, int valueSize, int maxEntries) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment map = map(call, template);
            MemorySegment opts = call.allocate(Libbpf.bpf_map_create_opts.LAYOUT);
            opts.set(ValueLayout.JAVA_LONG, Libbpf.bpf_map_create_opts.SZ, Libbpf.bpf_map_create_opts.LAYOUT.byteSize());
            opts.set(ValueLayout.JAVA_INT, Libbpf.bpf_map_create_opts.MAP_FLAGS, INNER_MAP_FLAGS);
            // Same BTF as the template: the kernel compares what BTF implies (timer and kptr fields, 6.1).
            opts.set(ValueLayout.JAVA_INT, Libbpf.bpf_map_create_opts.BTF_FD, Libbpf.bpf_object__btf_fd(object));
            opts.set(ValueLayout.JAVA_INT, Libbpf.bpf_map_create_opts.BTF_KEY_TYPE_ID,
                    Libbpf.bpf_map__btf_key_type_id(map));
            opts.set(ValueLayout.JAVA_INT, Libbpf.bpf_map_create_opts.BTF_VALUE_TYPE_ID,
                    Libbpf.bpf_map__btf_value_type_id(map));
            int fd = Libbpf.bpf_map_create(MAP_TYPE_HASH, call.allocateFrom(name), keySize, valueSize, maxEntries,
                    opts);
            if (fd < 0) {
                throw new BpfException("creating a map like " + template, -fd);
            }
            return fd;
        }
    }

    /** Writes one entry; `what` names it in the error. */
    public static void update(int fd, MemorySegment key, MemorySegment value, String what) {
        int result = Libbpf.bpf_map_update_elem(fd, key, value, 0);
        if (result < 0) {
            throw new BpfException("writing " + what, -result);
        }
    }

    /**
     * A u64 counter at this index of an array map, summed over the CPUs for a per-CPU array; 0 if unreadable
     * (metrics must never fail a scrape).
     */
    public static long counter(int fd, int index, boolean perCpu) {
        int cpus = perCpu ? POSSIBLE_CPUS : 1;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment key = call.allocate(ValueLayout.JAVA_INT);
            key.set(ValueLayout.JAVA_INT, 0, index);
            MemorySegment value = call.allocate(ValueLayout.JAVA_LONG, cpus);
            if (Libbpf.bpf_map_lookup_elem(fd, key, value) < 0) {
                return 0;
            }
            long sum = 0;
            for (int cpu = 0; cpu < cpus; cpu++) {
                sum += value.getAtIndex(ValueLayout.JAVA_LONG, cpu);
            }
            return sum;
        }
    }

    /** How many CPUs per-CPU maps hold a value for: the kernel's possible CPUs ("0-1,4" shape). */
    private static final int POSSIBLE_CPUS = possibleCpus();

    private static int possibleCpus() {
        try {
            int count = 0;
            for (String range : Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip().split(",")) {
                String[] ends = range.split("-");
                count += ends.length == 1 ? 1 : Integer.parseInt(ends[1]) - Integer.parseInt(ends[0]) + 1;
            }
            return count;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * Every entry of a hash map with u64 values, as (key bytes, value); a snapshot as good as the kernel's
     * iteration (entries added or removed meanwhile may be missed or seen).
     */
    public static Map<java.nio.ByteBuffer, Long> counters(int fd, long keySize) {
        Map<java.nio.ByteBuffer, Long> entries = new java.util.HashMap<>();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment key = call.allocate(keySize);
            MemorySegment next = call.allocate(keySize);
            MemorySegment value = call.allocate(ValueLayout.JAVA_LONG);
            MemorySegment at = MemorySegment.NULL; // the first key
            while (Libbpf.bpf_map_get_next_key(fd, at, next) == 0) {
                if (Libbpf.bpf_map_lookup_elem(fd, next, value) == 0) {
                    entries.put(java.nio.ByteBuffer.wrap(next.toArray(ValueLayout.JAVA_BYTE)),
                            value.get(ValueLayout.JAVA_LONG, 0));
                }
                MemorySegment.copy(next, 0, key, 0, keySize);
                at = key;
            }
        }
        return entries;
    }

    /** Deletes a key; false when it was not there. */
    public static boolean delete(int fd, MemorySegment key) {
        int result = Libbpf.bpf_map_delete_elem(fd, key);
        if (result == -2) { // ENOENT
            return false;
        }
        if (result < 0) {
            throw new BpfException("deleting a map entry", -result);
        }
        return true;
    }

    public static void closeFd(int fd) {
        Libc.close(fd);
    }

    /** The errno in words, as libc says it ("Permission denied"). */
    public static String strerror(int errno) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocate(256);
            Libbpf.libbpf_strerror(errno, buffer, 256);
            return buffer.getString(0);
        } catch (RuntimeException | LinkageError e) {
            return "error " + errno;
        }
    }

    /** Releases this process's hold; pinned links and maps stay in the kernel and keep enforcing. */
    @Override
    public void close() {
        links.forEach(Libbpf::bpf_link__destroy);
        links.clear();
        Libbpf.bpf_object__close(object);
    }
}
