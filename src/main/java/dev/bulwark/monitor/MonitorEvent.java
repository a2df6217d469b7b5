package dev.bulwark.monitor;

import static dev.bulwark.bpf.KernelLayout.MONITOR_EVENT;
import static dev.bulwark.bpf.KernelLayout.offset;

import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.identity.KernelIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One `struct monitor_event` from the monitor's ring buffer, copied out of native memory. */
public record MonitorEvent(long timestamp, long startTime, int pid, int tgid, int ppid, int uid, int nsTgid,
        int nsPpid, KernelIdentity identity, int kind, int syscall, long retval, long[] args, boolean visible,
        String comm, String tty, String path, String path2, String cwd, byte[] data, List<String> argv,
        Syscalls.DnsQuestion dns) {

    private static final long TIMESTAMP = offset(MONITOR_EVENT, "timestamp");
    private static final long START_TIME = offset(MONITOR_EVENT, "start_time");
    private static final long PID = offset(MONITOR_EVENT, "pid");
    private static final long TGID = offset(MONITOR_EVENT, "tgid");
    private static final long PPID = offset(MONITOR_EVENT, "ppid");
    private static final long UID = offset(MONITOR_EVENT, "uid");
    private static final long NS_TGID = offset(MONITOR_EVENT, "ns_tgid");
    private static final long NS_PPID = offset(MONITOR_EVENT, "ns_ppid");
    private static final long PID_NS = offset(MONITOR_EVENT, "pid_ns");
    private static final long MNT_NS = offset(MONITOR_EVENT, "mnt_ns");
    private static final long KIND = offset(MONITOR_EVENT, "kind");
    private static final long SYSCALL = offset(MONITOR_EVENT, "syscall");
    private static final long RETVAL = offset(MONITOR_EVENT, "retval");
    private static final long ARGS = offset(MONITOR_EVENT, "args");
    private static final long VISIBLE = offset(MONITOR_EVENT, "visible");
    private static final long ARGV_LEN = offset(MONITOR_EVENT, "argv_len");
    private static final long COMM = offset(MONITOR_EVENT, "comm");
    private static final long TTY = offset(MONITOR_EVENT, "tty");
    private static final long PATH = offset(MONITOR_EVENT, "path");
    private static final long PATH2 = offset(MONITOR_EVENT, "path2");
    private static final long CWD = offset(MONITOR_EVENT, "cwd");
    private static final long DATA = offset(MONITOR_EVENT, "data");
    private static final long ARGV = offset(MONITOR_EVENT, "argv");

    public static MonitorEvent read(MemorySegment event) {
        long[] args = new long[6];
        MemorySegment.copy(event, ValueLayout.JAVA_LONG, ARGS, args, 0, 6);
        byte[] data = new byte[KernelLayout.MONITOR_DATA];
        MemorySegment.copy(event, ValueLayout.JAVA_BYTE, DATA, data, 0, data.length);
        int syscall = event.get(ValueLayout.JAVA_INT, SYSCALL);
        Syscalls.DnsQuestion dns = null;
        if (syscall == Syscalls.SENDTO || syscall == Syscalls.SENDMSG || syscall == Syscalls.SENDMMSG) {
            dns = Syscalls.dnsQuestion(event.asSlice(PATH2, KernelLayout.EVENT_PATH).toArray(ValueLayout.JAVA_BYTE));
        }
        int argvLength = Math.min(Short.toUnsignedInt(event.get(ValueLayout.JAVA_SHORT, ARGV_LEN)),
                KernelLayout.MONITOR_ARGV);
        return new MonitorEvent(
                event.get(ValueLayout.JAVA_LONG, TIMESTAMP),
                event.get(ValueLayout.JAVA_LONG, START_TIME),
                event.get(ValueLayout.JAVA_INT, PID),
                event.get(ValueLayout.JAVA_INT, TGID),
                event.get(ValueLayout.JAVA_INT, PPID),
                event.get(ValueLayout.JAVA_INT, UID),
                event.get(ValueLayout.JAVA_INT, NS_TGID),
                event.get(ValueLayout.JAVA_INT, NS_PPID),
                new KernelIdentity(Integer.toUnsignedLong(event.get(ValueLayout.JAVA_INT, PID_NS)),
                        Integer.toUnsignedLong(event.get(ValueLayout.JAVA_INT, MNT_NS))),
                event.get(ValueLayout.JAVA_INT, KIND),
                syscall,
                event.get(ValueLayout.JAVA_LONG, RETVAL),
                args,
                event.get(ValueLayout.JAVA_BYTE, VISIBLE) != 0,
                KernelLayout.cString(event, COMM, 16),
                KernelLayout.cString(event, TTY, 16),
                KernelLayout.cString(event, PATH, KernelLayout.EVENT_PATH),
                KernelLayout.cString(event, PATH2, KernelLayout.EVENT_PATH),
                KernelLayout.cString(event, CWD, KernelLayout.EVENT_PATH),
                data,
                argv(event, argvLength),
                dns);
    }

    /** The NUL-separated argument vector (the last argument may be cut). */
    private static List<String> argv(MemorySegment event, int length) {
        List<String> argv = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= length; i++) {
            if (i == length || event.get(ValueLayout.JAVA_BYTE, ARGV + i) == 0) {
                if (i > start) {
                    argv.add(new String(event.asSlice(ARGV + start, i - start).toArray(ValueLayout.JAVA_BYTE),
                            StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return argv;
    }

    public boolean failed() {
        return retval < 0;
    }
}
