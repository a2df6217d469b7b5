package dev.bulwark.enforce;

import dev.bulwark.bpf.KernelLayout;
import static dev.bulwark.bpf.KernelLayout.EVENT;
import static dev.bulwark.bpf.KernelLayout.offset;

import dev.bulwark.identity.KernelIdentity;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** One `struct event` from the ring buffer, copied out of native memory. */
public record KernelEvent(long timestamp, int pid, int tgid, int ppid, int uid, int nsTgid, int nsPpid,
        KernelIdentity identity, int rule,
        int hook, int ruleClass, int decision, int unnamed, int retval, Subject subject, String comm,
        String path, String source, String parent) {

    /** What a network, capability or memory decision was about (struct subject; zero where it does not apply). */
    public record Subject(int family, int socketType, int protocol, int capability, int prot, int mapFlags) {
    }

    private static final long SUBJECT = offset(EVENT, "subject");

    private static final long PID_NS = offset(EVENT, "pid_ns");
    private static final long MNT_NS = offset(EVENT, "mnt_ns");

    public static KernelEvent read(MemorySegment event) {
        return new KernelEvent(
                event.get(ValueLayout.JAVA_LONG, offset(EVENT, "timestamp")),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "pid")),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "tgid")),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "ppid")),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "uid")),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "ns_tgid")),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "ns_ppid")),
                new KernelIdentity(Integer.toUnsignedLong(event.get(ValueLayout.JAVA_INT, PID_NS)),
                        Integer.toUnsignedLong(event.get(ValueLayout.JAVA_INT, MNT_NS))),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "rule")),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, offset(EVENT, "hook"))),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, offset(EVENT, "rule_class"))),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, offset(EVENT, "decision"))),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, offset(EVENT, "path_truncated"))),
                event.get(ValueLayout.JAVA_INT, offset(EVENT, "retval")),
                new Subject(event.get(ValueLayout.JAVA_INT, SUBJECT + offset(KernelLayout.SUBJECT, "family")),
                        event.get(ValueLayout.JAVA_INT, SUBJECT + offset(KernelLayout.SUBJECT, "sock_type")),
                        event.get(ValueLayout.JAVA_INT, SUBJECT + offset(KernelLayout.SUBJECT, "protocol")),
                        event.get(ValueLayout.JAVA_INT, SUBJECT + offset(KernelLayout.SUBJECT, "capability")),
                        event.get(ValueLayout.JAVA_INT, SUBJECT + offset(KernelLayout.SUBJECT, "prot")),
                        event.get(ValueLayout.JAVA_INT, SUBJECT + offset(KernelLayout.SUBJECT, "map_flags"))),
                KernelLayout.cString(event, offset(EVENT, "comm"), 16),
                KernelLayout.cString(event, offset(EVENT, "path"), KernelLayout.EVENT_PATH),
                KernelLayout.cString(event, offset(EVENT, "source"), KernelLayout.EVENT_PATH),
                KernelLayout.cString(event, offset(EVENT, "parent"), KernelLayout.EVENT_PATH));
    }

    public boolean denied() {
        return decision == KernelLayout.DECISION_BLOCKED || decision == KernelLayout.DECISION_POSTURE_BLOCKED
                || decision == KernelLayout.DECISION_GUARDED || decision == KernelLayout.DECISION_SELF;
    }

    /** Why the file had no name to judge it by (KernelLayout.UNNAMED), or null when it had one. */
    public String unnamedReason() {
        return unnamed >= 1 && unnamed <= KernelLayout.UNNAMED.size() ? KernelLayout.UNNAMED.get(unnamed - 1) : null;
    }

    public boolean byPosture() {
        return decision == KernelLayout.DECISION_POSTURE_BLOCKED || decision == KernelLayout.DECISION_POSTURE_AUDITED;
    }
}
