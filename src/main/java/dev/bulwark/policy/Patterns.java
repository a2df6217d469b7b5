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
    /** A glob over absolute paths (`*`, `?`, `**`); the grammar enforced in the kernel is in docs/policy-semantics.md. */
    public static final String GLOB = "^\\/.*$";
    /** Longest path or directory accepted in a rule. */
    public static final int PATH_MAX = 200;

    private static final String PROTOCOL =
            "(tcp|udp|icmp|icmpv6|sctp|raw|stream|dgram|rdm|seqpacket|dccp|packet|all)";
    /** One protocol name or a comma list of them, any case. */
    public static final String PROTOCOL_LIST = "^(?i)\\s*" + PROTOCOL + "\\s*(,\\s*" + PROTOCOL + "\\s*)*$";

    private static final String CAPABILITY = "(cap_)?(chown|dac_override|dac_read_search|fowner|fsetid|kill|setgid"
            + "|setuid|setpcap|linux_immutable|net_bind_service|net_broadcast|net_admin|net_raw|ipc_lock|ipc_owner"
            + "|sys_module|sys_rawio|sys_chroot|sys_ptrace|sys_pacct|sys_admin|sys_boot|sys_nice|sys_resource"
            + "|sys_time|sys_tty_config|mknod|lease|audit_write|audit_control|setfcap|mac_override|mac_admin"
            + "|syslog|wake_alarm|block_suspend|audit_read|perfmon|bpf|checkpoint_restore)";
    /** One Linux capability name or a comma list, with or without "cap_", any case. */
    public static final String CAPABILITY_LIST = "^(?i)\\s*" + CAPABILITY + "\\s*(,\\s*" + CAPABILITY + "\\s*)*$";

    /** A DNS name: labels of letters, digits and hyphens, optionally ending in a dot. */
    public static final String DOMAIN =
            "^(?i)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.?$";

    private Patterns() {
    }
}
