package dev.bulwark.policy;

/** The OpenAPI patterns of KubeArmor's CRDs, shared by the Java model (and so the CRDs) and the validator. */
public final class Patterns {
    /** An absolute file path without a trailing slash (KubeArmor's MatchPathType). */
    public static final String PATH = "^\\/+.*[^\\/]$";
    /** A directory: "/" or an absolute path ending in a slash (MatchDirectoryType). */
    public static final String DIRECTORY = "^\\/$|^\\/.*\\/$";
    /** Either of the above (MatchSyscallPathType). */
    public static final String PATH_OR_DIRECTORY = "(^\\/+.*[^\\/]$)|(^\\/$|^\\/.*\\/$)";
    /** A bare executable name without any slash (MatchBinType). */
    public static final String EXEC_NAME = "^[^\\/]+$";

    private static final String PROTOCOL =
            "(tcp|udp|icmp|icmpv6|sctp|raw|stream|dgram|rdm|seqpacket|dccp|packet|all)";
    /**
     * One protocol name or a comma list of them, any case; or whatever upstream's schema lets through (its
     * pattern is anchored only at the end): the compiler reports what it cannot enforce, per rule.
     */
    public static final String PROTOCOL_LIST = "^(?i)\\s*" + PROTOCOL + "\\s*(,\\s*" + PROTOCOL + "\\s*)*$"
            + "|(icmp|ICMP|tcp|TCP|udp|UDP|raw|RAW)$";

    private static final String CAPABILITY = "(cap_)?(chown|dac_override|dac_read_search|fowner|fsetid|kill|setgid"
            + "|setuid|setpcap|linux_immutable|net_bind_service|net_broadcast|net_admin|net_raw|ipc_lock|ipc_owner"
            + "|sys_module|sys_rawio|sys_chroot|sys_ptrace|sys_pacct|sys_admin|sys_boot|sys_nice|sys_resource"
            + "|sys_time|sys_tty_config|mknod|lease|audit_write|audit_control|setfcap|mac_override|mac_admin"
            + "|syslog|wake_alarm|block_suspend|audit_read|perfmon|bpf|checkpoint_restore)";
    /** One Linux capability name or a comma list, with or without "cap_", any case (or upstream's looser form). */
    public static final String CAPABILITY_LIST = "^(?i)\\s*" + CAPABILITY + "\\s*(,\\s*" + CAPABILITY + "\\s*)*$"
            + "|" + CAPABILITY + "$"; // what upstream's end-anchored pattern lets through, reported by the compiler

    /** A DNS name: labels of letters, digits and hyphens, optionally ending in a dot. */
    public static final String DOMAIN =
            "^(?i)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.?$";

    private Patterns() {
    }
}
