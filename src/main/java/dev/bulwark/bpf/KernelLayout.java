package dev.bulwark.bpf;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Preset;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * The Java view of the structs in bpf/bulwark.h, field for field. KernelLayoutTest compiles the header and
 * checks every offset and size against these layouts.
 */
public final class KernelLayout {
    private KernelLayout() {
    }

    public static final int PATH_MAX = 4096;
    public static final int EVENT_PATH = 256;
    public static final int CLASS_COUNT = 5;
    /** enum bulwark_preset, in order: the presets the kernel enforces, by their policy names. */
    public static final List<String> PRESETS = Arrays.stream(Preset.values()).map(Preset::name).toList();

    public static final StructLayout ENDPOINT_KEY = MemoryLayout.structLayout(
            JAVA_INT.withName("pid_ns"),
            JAVA_INT.withName("mnt_ns")).withName("endpoint_key");

    public static final StructLayout RULE_KEY = MemoryLayout.structLayout(
            JAVA_LONG.withName("target"),
            JAVA_LONG.withName("source"),
            JAVA_INT.withName("rule_class"),
            JAVA_INT.withName("match")).withName("rule_key");

    /** BW_CONTEXTS: the operation contexts a rule value holds a rule for, per action (see RuleSet.Context). */
    public static final int CONTEXTS = 8;
    /** BW_RULE_ARGS: an Allow rule id with this bit holds only for the exec's exact arguments. */
    public static final int RULE_ARGS = 0x80000000;
    /** The glob automaton's map keys (BW_GLOB_* in bulwark.h): state << GLOB_SHIFT | what. */
    public static final int GLOB_SHIFT = 9;
    public static final int GLOB_OTHER = 256;
    public static final int GLOB_RULES = 264;
    public static final int GLOB_ANCESTOR = 288;
    public static final int GLOB_START = 1;
    public static final int GLOB_MAX_STATE = (1 << (32 - GLOB_SHIFT)) - 1;
    /** glob_key, glob_value: the glob map's key and value, in bytes. */
    public static final int GLOB_KEY_SIZE = 4;
    public static final int GLOB_VALUE_SIZE = 4;
    /** BW_RULE_SELF: a Block rule id with this bit holds only while the agent lives (selfProtection's rules). */
    public static final int RULE_SELF = 0x40000000;

    public static final StructLayout RULE_VALUE = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(CONTEXTS, JAVA_INT).withName("allow"),
            MemoryLayout.sequenceLayout(CONTEXTS, JAVA_INT).withName("audit"),
            MemoryLayout.sequenceLayout(CONTEXTS, JAVA_INT).withName("block")).withName("rule_value");

    public static final StructLayout ENDPOINT_MODES = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(CLASS_COUNT, JAVA_BYTE).withName("whitelist"),
            MemoryLayout.sequenceLayout(CLASS_COUNT, JAVA_BYTE).withName("posture_block"),
            MemoryLayout.sequenceLayout(CLASS_COUNT, JAVA_BYTE).withName("has_block"),
            MemoryLayout.sequenceLayout(CLASS_COUNT, JAVA_BYTE).withName("has_source"),
            JAVA_INT.withName("guard_rule"),
            MemoryLayout.sequenceLayout(PRESETS.size(), JAVA_INT).withName("preset_block"),
            MemoryLayout.sequenceLayout(PRESETS.size(), JAVA_INT).withName("preset_audit")).withName("endpoint_modes");

    public static final StructLayout PIDNS_OWNER = MemoryLayout.structLayout(
            ENDPOINT_KEY.withName("ep"),
            JAVA_INT.withName("ambiguous"),
            JAVA_INT.withName("pad")).withName("pidns_owner");

    public static final StructLayout TASK_IDENTITY = MemoryLayout.structLayout(
            ENDPOINT_KEY.withName("ep"),
            JAVA_INT.withName("state"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("program"),
            JAVA_LONG.withName("exec_source"),
            JAVA_LONG.withName("exe"),
            JAVA_LONG.withName("source_hash"), JAVA_LONG.withName("args_hash"), JAVA_INT.withName("exec_argc"),
            JAVA_INT.withName("pad2")).withName("task_identity");

    public static final StructLayout HASH_KEY = MemoryLayout.structLayout(
            JAVA_LONG.withName("k0"),
            JAVA_LONG.withName("k1")).withName("hash_key");

    public static final StructLayout SUBJECT = MemoryLayout.structLayout(
            JAVA_INT.withName("family"),
            JAVA_INT.withName("sock_type"),
            JAVA_INT.withName("protocol"),
            JAVA_INT.withName("capability"),
            JAVA_INT.withName("prot"),
            JAVA_INT.withName("map_flags")).withName("subject");

    public static final StructLayout EVENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("timestamp"),
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("tgid"),
            JAVA_INT.withName("ppid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("ns_tgid"),
            JAVA_INT.withName("ns_ppid"),
            JAVA_INT.withName("pid_ns"),
            JAVA_INT.withName("mnt_ns"),
            JAVA_INT.withName("rule"),
            JAVA_BYTE.withName("hook"),
            JAVA_BYTE.withName("rule_class"),
            JAVA_BYTE.withName("decision"),
            JAVA_BYTE.withName("path_truncated"),
            JAVA_INT.withName("retval"),
            SUBJECT.withName("subject"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("comm"),
            MemoryLayout.sequenceLayout(EVENT_PATH, JAVA_BYTE).withName("path"),
            MemoryLayout.sequenceLayout(EVENT_PATH, JAVA_BYTE).withName("source"),
            MemoryLayout.sequenceLayout(EVENT_PATH, JAVA_BYTE).withName("parent"),
            JAVA_INT.withName("pad")).withName("event");

    public static final StructLayout EXEC_ARGS = MemoryLayout.structLayout(
            JAVA_LONG.withName("hash"),
            JAVA_INT.withName("count"),
            JAVA_INT.withName("too_long")).withName("exec_args");

    public static final StructLayout THROTTLE_CONFIG = MemoryLayout.structLayout(
            JAVA_INT.withName("max_alerts_per_sec"),
            JAVA_INT.withName("pad"),
            JAVA_LONG.withName("throttle_ns")).withName("throttle_config");

    /**
     * The start of the kernel's own struct bpf_prog_info (linux/bpf.h, append-only uAPI) up to the counters
     * bpf_stats fills; the kernel copies no more than the length it is given.
     */
    public static final StructLayout BPF_PROG_INFO = MemoryLayout.structLayout(
            MemoryLayout.paddingLayout(192), JAVA_LONG.withName("run_time_ns"), JAVA_LONG.withName("run_cnt"));

    public static final StructLayout SELF_IDENTITY = MemoryLayout.structLayout(
            JAVA_INT.withName("tgid"),
            JAVA_INT.withName("enabled"),
            JAVA_LONG.withName("start_ticks"),
            JAVA_LONG.withName("lease_until_ns")).withName("self_identity");

    public static final StructLayout THROTTLE_WINDOW = MemoryLayout.structLayout(
            JAVA_LONG.withName("window_start_ns"),
            JAVA_LONG.withName("silent_until_ns"),
            JAVA_INT.withName("count"),
            JAVA_INT.withName("pad")).withName("throttle_window");

    public static final StructLayout THROTTLE_STATE = MemoryLayout.structLayout(
            THROTTLE_WINDOW.withName("policy"),
            THROTTLE_WINDOW.withName("posture")).withName("throttle_state");

    public static final StructLayout SUPPRESSED_KEY = MemoryLayout.structLayout(
            ENDPOINT_KEY.withName("ep"),
            JAVA_INT.withName("rule"),
            JAVA_INT.withName("pad")).withName("suppressed_key");

    /** enum bulwark_budget: a threshold event's rule. */
    public static final int BUDGET_POLICY = 0;
    public static final int BUDGET_POSTURE = 1;

    public static final int MONITOR_ARGV = 512;
    public static final int MONITOR_DATA = 128;

    public static final StructLayout MONITOR_CONFIG = MemoryLayout.structLayout(
            JAVA_INT.withName("host_classes"),
            JAVA_INT.withName("container_classes")).withName("monitor_config");

    public static final StructLayout VISIBILITY = MemoryLayout.structLayout(
            JAVA_INT.withName("classes"),
            JAVA_INT.withName("pad")).withName("visibility");

    public static final StructLayout PENDING_SYSCALL = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("args"),
            JAVA_INT.withName("syscall"),
            JAVA_INT.withName("pad")).withName("pending_syscall");

    public static final StructLayout MONITOR_EVENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("timestamp"),
            JAVA_LONG.withName("start_time"),
            JAVA_INT.withName("pid"),
            JAVA_INT.withName("tgid"),
            JAVA_INT.withName("ppid"),
            JAVA_INT.withName("uid"),
            JAVA_INT.withName("ns_tgid"),
            JAVA_INT.withName("ns_ppid"),
            JAVA_INT.withName("pid_ns"),
            JAVA_INT.withName("mnt_ns"),
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("syscall"),
            JAVA_LONG.withName("retval"),
            MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("args"),
            JAVA_BYTE.withName("visible"),
            JAVA_BYTE.withName("argc"),
            ValueLayout.JAVA_SHORT.withName("argv_len"),
            JAVA_INT.withName("pad"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("comm"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("tty"),
            MemoryLayout.sequenceLayout(EVENT_PATH, JAVA_BYTE).withName("path"),
            MemoryLayout.sequenceLayout(EVENT_PATH, JAVA_BYTE).withName("path2"),
            MemoryLayout.sequenceLayout(EVENT_PATH, JAVA_BYTE).withName("cwd"),
            MemoryLayout.sequenceLayout(MONITOR_DATA, JAVA_BYTE).withName("data"),
            MemoryLayout.sequenceLayout(MONITOR_ARGV, JAVA_BYTE).withName("argv")).withName("monitor_event");

    /** enum bulwark_monitor_kind */
    public static final int MONITOR_EXEC = 1;
    public static final int MONITOR_FORK = 2;
    public static final int MONITOR_EXIT = 3;
    public static final int MONITOR_SYSCALL = 4;

    /** enum bulwark_scope */
    public static final int SCOPE_HOST = 0;
    public static final int SCOPE_CONTAINER = 1;
    public static final int SCOPE_COUNT = 2;

    /** The endpoint_key of a kernel identity, allocated in the arena. */
    public static MemorySegment endpointKey(Arena arena, KernelIdentity identity) {
        MemorySegment key = arena.allocate(ENDPOINT_KEY);
        key.set(JAVA_INT, offset(ENDPOINT_KEY, "pid_ns"), (int) identity.pidNs());
        key.set(JAVA_INT, offset(ENDPOINT_KEY, "mnt_ns"), (int) identity.mntNs());
        return key;
    }

    /** A NUL-terminated string of at most max bytes at offset (UTF-8). */
    public static String cString(MemorySegment segment, long offset, int max) {
        int length = 0;
        while (length < max && segment.get(JAVA_BYTE, offset + length) != 0) {
            length++;
        }
        return length == 0 ? "" : new String(segment.asSlice(offset, length).toArray(JAVA_BYTE),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Byte offset of a field, by name (nested fields: "allow", "rule"). */
    public static long offset(StructLayout layout, String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    /** enum bulwark_decision */
    public static final int DECISION_BLOCKED = 1;
    public static final int DECISION_AUDITED = 2;
    public static final int DECISION_POSTURE_BLOCKED = 3;
    public static final int DECISION_POSTURE_AUDITED = 4;
    public static final int DECISION_THRESHOLD = 5;
    public static final int DECISION_GUARDED = 6;
    public static final int DECISION_SELF = 7;

    /** enum bulwark_unnamed: why a path had no name to judge it by (event.path_truncated), from 1. */
    public static final List<String> UNNAMED = List.of("too long or too deep to assemble",
            "disconnected from its mount (opened by handle)", "in a mount tree attached to no namespace",
            "not in the sender's memory (sendfile, splice) or not readable",
            "not one whole message with one question and a plain name",
            "built by hand (IP_HDRINCL), which could hide a query");

    /** enum bulwark_hook, in order from 1: the LSM hook names alerts show as Data "lsm=...". */
    public static final List<String> HOOKS = List.of("SECURITY_BPRM_CHECK", "SECURITY_FILE_OPEN",
            "SECURITY_FILE_PERMISSION", "SECURITY_PATH_UNLINK", "SECURITY_PATH_MKDIR", "SECURITY_PATH_RMDIR",
            "SECURITY_PATH_RENAME", "SECURITY_PATH_CHMOD", "SECURITY_PATH_TRUNCATE", "SECURITY_PATH_SYMLINK",
            "SECURITY_PATH_LINK", "SECURITY_PATH_MKNOD", "SOCKET_CREATE", "SOCKET_CONNECT", "SOCKET_ACCEPT", "CAPABLE",
            "MMAP_FILE", "SOCKET_SENDMSG", "SECURITY_PATH_CHOWN", "SECURITY_INODE_SETATTR", "SECURITY_INODE_SETXATTR",
            "SECURITY_INODE_REMOVEXATTR", "SECURITY_FILE_TRUNCATE", "SECURITY_FILE_MPROTECT", "SECURITY_SB_MOUNT",
            "SECURITY_MOVE_MOUNT", "SECURITY_SB_PIVOTROOT", "SECURITY_PATH_CHROOT", "SECURITY_INODE_SET_ACL",
            "SECURITY_INODE_REMOVE_ACL", "SOCKET_RECVMSG", "SOCKET_SETSOCKOPT",
            "SECURITY_INODE_FOLLOW_LINK", "SECURITY_INODE_READLINK", "SECURITY_BPRM_COMMITTED_CREDS",
            "SECURITY_BPF", "SECURITY_BPF_MAP", "SECURITY_BPF_PROG", "SECURITY_TASK_KILL",
            "SECURITY_PTRACE_ACCESS_CHECK");
    public static final int HOOK_BPRM_CHECK = 1;

    /** Network and capability key targets: BW_NET_PROTOCOL + IPPROTO_*, BW_NET_TYPE + SOCK_*, BW_NET_ALL. */
    public static final int NET_PROTOCOL = 0x100;
    public static final int NET_TYPE = 0x200;
    public static final int NET_ALL = 0x300;

    /** The alert name of a hook number, e.g. "SECURITY_FILE_OPEN". */
    public static String hookName(int hook) {
        return hook >= 1 && hook <= HOOKS.size() ? HOOKS.get(hook - 1) : "UNKNOWN_" + hook;
    }

    /** BW_MIX: what two hashes are mixed with into one key target (globs, allowedArgs). */
    public static final long MIX = 0x100000001b3L;
    /** allowedArgs the kernel compares: at most 20 (as validated), each shorter than this many bytes. */
    public static final int ARG_MAX = 256;
}
