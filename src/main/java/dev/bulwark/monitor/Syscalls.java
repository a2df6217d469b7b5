package dev.bulwark.monitor;

import dev.bulwark.bpf.KernelNames;
import dev.bulwark.policy.Syscall;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The watched system calls and KubeArmor's spelling of their arguments. Their numbers come from the one table of
 * x86-64 syscalls, {@link Syscall} (monitor.bpf.c's SYS_ defines are checked against it by SyscallNumbersTest).
 */
final class Syscalls {
    private Syscalls() {
    }

    static final int OPEN = Syscall.open.ordinal();
    static final int SOCKET = Syscall.socket.ordinal();
    static final int CONNECT = Syscall.connect.ordinal();
    static final int ACCEPT = Syscall.accept.ordinal();
    static final int SENDTO = Syscall.sendto.ordinal();
    static final int SENDMSG = Syscall.sendmsg.ordinal();
    static final int SENDMMSG = Syscall.sendmmsg.ordinal();
    static final int BIND = Syscall.bind.ordinal();
    static final int LISTEN = Syscall.listen.ordinal();
    static final int EXECVE = Syscall.execve.ordinal();
    static final int RMDIR = Syscall.rmdir.ordinal();
    static final int UNLINK = Syscall.unlink.ordinal();
    static final int CHOWN = Syscall.chown.ordinal();
    static final int PTRACE = Syscall.ptrace.ordinal();
    static final int SETUID = Syscall.setuid.ordinal();
    static final int SETGID = Syscall.setgid.ordinal();
    static final int MOUNT = Syscall.mount.ordinal();
    static final int UMOUNT2 = Syscall.umount2.ordinal();
    static final int OPENAT = Syscall.openat.ordinal();
    static final int FCHOWNAT = Syscall.fchownat.ordinal();
    static final int UNLINKAT = Syscall.unlinkat.ordinal();
    static final int ACCEPT4 = Syscall.accept4.ordinal();
    static final int EXECVEAT = Syscall.execveat.ordinal();

    /** "SYS_OPENAT" for 257. */
    static String name(int syscall) {
        return syscall >= 0 && syscall < SYSCALLS.length ? "SYS_" + SYSCALLS[syscall].name().toUpperCase(Locale.ROOT)
                : "SYS_" + syscall;
    }

    private static final Syscall[] SYSCALLS = Syscall.values();

    /** The syscall of this number, or null for one outside the table. */
    static Syscall of(int syscall) {
        return syscall >= 0 && syscall < SYSCALLS.length ? SYSCALLS[syscall] : null;
    }

    private static final String[][] OPEN_FLAGS = {
            {"0100", "O_CREAT"}, {"0200", "O_EXCL"}, {"0400", "O_NOCTTY"}, {"01000", "O_TRUNC"},
            {"02000", "O_APPEND"}, {"04000", "O_NONBLOCK"}, {"010000", "O_DSYNC"}, {"040000", "O_DIRECT"},
            {"0100000", "O_LARGEFILE"}, {"0200000", "O_DIRECTORY"}, {"0400000", "O_NOFOLLOW"},
            {"01000000", "O_NOATIME"}, {"02000000", "O_CLOEXEC"}, {"010000000", "O_PATH"}};

    /** open(2) flags as KubeArmor writes them: "O_RDONLY|O_CLOEXEC". */
    static String openFlags(long flags) {
        StringBuilder text = new StringBuilder(switch ((int) (flags & 3)) {
            case 1 -> "O_WRONLY";
            case 2 -> "O_RDWR";
            default -> "O_RDONLY";
        });
        for (String[] flag : OPEN_FLAGS) {
            if ((flags & Long.parseLong(flag[0], 8)) != 0) {
                text.append('|').append(flag[1]);
            }
        }
        return text.toString();
    }

    /** A directory file descriptor as an int ("-100" for AT_FDCWD). */
    static String fd(long fd) {
        return Integer.toString((int) fd);
    }




    /** A socket address as KubeArmor's "sa_family=AF_INET sin_port=80 sin_addr=10.0.0.1"; "" when empty. */
    static String sockaddr(byte[] raw) {
        ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int family = Short.toUnsignedInt(in.getShort(0));
        int port = Short.toUnsignedInt(ByteBuffer.wrap(raw, 2, 2).order(ByteOrder.BIG_ENDIAN).getShort());
        try {
            return switch (family) {
                case 0 -> "";
                case 1 -> "sa_family=AF_UNIX sun_path=" + cString(raw, 2);
                case 2 -> "sa_family=AF_INET sin_port=" + port + " sin_addr="
                        + InetAddress.getByAddress(Arrays.copyOfRange(raw, 4, 8)).getHostAddress();
                case 10 -> "sa_family=AF_INET6 sin6_port=" + port + " sin6_addr="
                        + InetAddress.getByAddress(Arrays.copyOfRange(raw, 8, 24)).getHostAddress();
                default -> "sa_family=" + KernelNames.family(family);
            };
        } catch (UnknownHostException e) {
            return "sa_family=" + KernelNames.family(family);
        }
    }

    static String ptraceRequest(long request) {
        return switch ((int) request) {
            case 0 -> "PTRACE_TRACEME";
            case 1 -> "PTRACE_PEEKTEXT";
            case 2 -> "PTRACE_PEEKDATA";
            case 4 -> "PTRACE_POKETEXT";
            case 5 -> "PTRACE_POKEDATA";
            case 7 -> "PTRACE_CONT";
            case 8 -> "PTRACE_KILL";
            case 16 -> "PTRACE_ATTACH";
            case 17 -> "PTRACE_DETACH";
            case 0x4206 -> "PTRACE_SEIZE";
            default -> Long.toString(request);
        };
    }

    /** The question of a DNS query (the name, without its final dot, and the type), or null if malformed. */
    record DnsQuestion(String name, String type) {
    }

    static DnsQuestion dnsQuestion(byte[] message) {
        List<String> labels = new ArrayList<>();
        int at = 12; // past the header
        while (at < message.length) {
            int length = Byte.toUnsignedInt(message[at]);
            if (length == 0) {
                int type = at + 2 < message.length
                        ? (Byte.toUnsignedInt(message[at + 1]) << 8) | Byte.toUnsignedInt(message[at + 2]) : 0;
                return labels.isEmpty() ? null : new DnsQuestion(String.join(".", labels),
                        type == 1 ? "A" : type == 28 ? "AAAA" : Integer.toString(type));
            }
            if (length > 63 || at + 1 + length > message.length) {
                return null;
            }
            labels.add(new String(message, at + 1, length, StandardCharsets.US_ASCII));
            at += 1 + length;
        }
        return null;
    }

    /** A NUL-terminated string in raw bytes, from an index. */
    static String cString(byte[] raw, int from) {
        int end = from;
        while (end < raw.length && raw[end] != 0) {
            end++;
        }
        return new String(raw, from, end - from, StandardCharsets.UTF_8);
    }
}
