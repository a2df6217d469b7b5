package dev.bulwark.bpf;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The kernel's numbers by their names, as alerts and logs spell them and policies name them: socket address
 * families, types and protocols, and capabilities (linux/socket.h, linux/net.h, linux/in.h,
 * linux/capability.h; x86_64 ABI, stable).
 */
public final class KernelNames {
    private KernelNames() {
    }

    /** CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40, in order. */
    public static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
            "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG",
            "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
            "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON",
            "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

    /** A capability's number from its name, with or without "CAP_", any case; -1 if there is none. */
    public static int capability(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        return CAPABILITIES.indexOf(upper.startsWith("CAP_") ? upper : "CAP_" + upper);
    }

    public static String capabilityName(int number) {
        return number >= 0 && number < CAPABILITIES.size() ? CAPABILITIES.get(number) : "CAP_" + number;
    }

    public static String family(int family) {
        return switch (family) {
            case 1 -> "AF_UNIX";
            case 2 -> "AF_INET";
            case 10 -> "AF_INET6";
            case 16 -> "AF_NETLINK";
            case 17 -> "AF_PACKET";
            default -> Integer.toString(family);
        };
    }

    /** A socket type with its creation flags, as "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC". */
    public static String socketType(long type) {
        String base = switch ((int) (type & 0xf)) {
            case 1 -> "SOCK_STREAM";
            case 2 -> "SOCK_DGRAM";
            case 3 -> "SOCK_RAW";
            case 4 -> "SOCK_RDM";
            case 5 -> "SOCK_SEQPACKET";
            case 6 -> "SOCK_DCCP";
            case 10 -> "SOCK_PACKET";
            default -> Long.toString(type & 0xf);
        };
        if ((type & 04000) != 0) {
            base += "|SOCK_NONBLOCK";
        }
        if ((type & 02000000) != 0) {
            base += "|SOCK_CLOEXEC";
        }
        return base;
    }

    public static String protocol(int protocol) {
        return switch (protocol) {
            case 1 -> "ICMP";
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 58 -> "ICMPv6";
            case 132 -> "SCTP";
            case 255 -> "RAW";
            default -> Integer.toString(protocol);
        };
    }

    /**
     * A `matchProtocols` name's key target in the enforcer (see bulwark.h): protocols by number, socket types by
     * number, "all" for any socket.
     */
    public static int protocolKey(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "icmp" -> KernelLayout.NET_PROTOCOL + 1;
            case "tcp" -> KernelLayout.NET_PROTOCOL + 6;
            case "udp" -> KernelLayout.NET_PROTOCOL + 17;
            case "icmpv6" -> KernelLayout.NET_PROTOCOL + 58;
            case "sctp" -> KernelLayout.NET_PROTOCOL + 132;
            case "stream" -> KernelLayout.NET_TYPE + 1;
            case "dgram" -> KernelLayout.NET_TYPE + 2;
            case "raw" -> KernelLayout.NET_TYPE + 3;
            case "rdm" -> KernelLayout.NET_TYPE + 4;
            case "seqpacket" -> KernelLayout.NET_TYPE + 5;
            case "dccp" -> KernelLayout.NET_TYPE + 6;
            case "packet" -> KernelLayout.NET_TYPE + 10;
            case "all" -> KernelLayout.NET_ALL;
            default -> throw new IllegalArgumentException("not a matchProtocols name: " + name);
        };
    }

    /** mmap protection bits (linux/mman.h), in order. */
    public static final List<Map.Entry<Integer, String>> PROT_FLAGS = List.of(Map.entry(0x1, "PROT_READ"),
            Map.entry(0x2, "PROT_WRITE"), Map.entry(0x4, "PROT_EXEC"));
    /** mmap flags that say what a mapping is. */
    public static final List<Map.Entry<Integer, String>> MAP_FLAGS = List.of(Map.entry(0x1, "MAP_SHARED"),
            Map.entry(0x2, "MAP_PRIVATE"), Map.entry(0x10, "MAP_FIXED"), Map.entry(0x20, "MAP_ANONYMOUS"),
            Map.entry(0x100, "MAP_GROWSDOWN"), Map.entry(0x2000, "MAP_LOCKED"), Map.entry(0x4000, "MAP_NORESERVE"),
            Map.entry(0x8000, "MAP_POPULATE"), Map.entry(0x40000, "MAP_HUGETLB"));

    /** The names of the bits set, "|"-joined ("PROT_NONE"-like "0" when none is). */
    public static String flags(int value, List<Map.Entry<Integer, String>> names) {
        List<String> set = names.stream().filter(e -> (value & e.getKey()) != 0).map(Map.Entry::getValue).toList();
        return set.isEmpty() ? "0" : String.join("|", set);
    }
}
