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
    // Every field's offset, looked up once (this runs for every event).
    private static final long TIMESTAMP = offset(EVENT, "timestamp");
    private static final long PID = offset(EVENT, "pid");
    private static final long TGID = offset(EVENT, "tgid");
    private static final long PPID = offset(EVENT, "ppid");
    private static final long UID = offset(EVENT, "uid");
    private static final long NS_TGID = offset(EVENT, "ns_tgid");
    private static final long NS_PPID = offset(EVENT, "ns_ppid");
    private static final long RULE = offset(EVENT, "rule");
    private static final long HOOK = offset(EVENT, "hook");
    private static final long RULE_CLASS = offset(EVENT, "rule_class");
    private static final long DECISION = offset(EVENT, "decision");
    private static final long PATH_TRUNCATED = offset(EVENT, "path_truncated");
    private static final long RETVAL = offset(EVENT, "retval");
    private static final long COMM = offset(EVENT, "comm");
    private static final long PATH = offset(EVENT, "path");
    private static final long SOURCE = offset(EVENT, "source");
    private static final long PARENT = offset(EVENT, "parent");
    private static final long SUBJECT_FAMILY = SUBJECT + offset(KernelLayout.SUBJECT, "family");
    private static final long SUBJECT_SOCK_TYPE = SUBJECT + offset(KernelLayout.SUBJECT, "sock_type");
    private static final long SUBJECT_PROTOCOL = SUBJECT + offset(KernelLayout.SUBJECT, "protocol");
    private static final long SUBJECT_CAPABILITY = SUBJECT + offset(KernelLayout.SUBJECT, "capability");
    private static final long SUBJECT_PROT = SUBJECT + offset(KernelLayout.SUBJECT, "prot");
    private static final long SUBJECT_MAP_FLAGS = SUBJECT + offset(KernelLayout.SUBJECT, "map_flags");

    public static KernelEvent read(MemorySegment event) {
        return new KernelEvent(
                event.get(ValueLayout.JAVA_LONG, TIMESTAMP),
                event.get(ValueLayout.JAVA_INT, PID),
                event.get(ValueLayout.JAVA_INT, TGID),
                event.get(ValueLayout.JAVA_INT, PPID),
                event.get(ValueLayout.JAVA_INT, UID),
                event.get(ValueLayout.JAVA_INT, NS_TGID),
                event.get(ValueLayout.JAVA_INT, NS_PPID),
                new KernelIdentity(Integer.toUnsignedLong(event.get(ValueLayout.JAVA_INT, PID_NS)),
                        Integer.toUnsignedLong(event.get(ValueLayout.JAVA_INT, MNT_NS))),
                event.get(ValueLayout.JAVA_INT, RULE),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, HOOK)),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, RULE_CLASS)),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, DECISION)),
                Byte.toUnsignedInt(event.get(ValueLayout.JAVA_BYTE, PATH_TRUNCATED)),
                event.get(ValueLayout.JAVA_INT, RETVAL),
                new Subject(event.get(ValueLayout.JAVA_INT, SUBJECT_FAMILY),
                        event.get(ValueLayout.JAVA_INT, SUBJECT_SOCK_TYPE),
                        event.get(ValueLayout.JAVA_INT, SUBJECT_PROTOCOL),
                        event.get(ValueLayout.JAVA_INT, SUBJECT_CAPABILITY),
                        event.get(ValueLayout.JAVA_INT, SUBJECT_PROT),
                        event.get(ValueLayout.JAVA_INT, SUBJECT_MAP_FLAGS)),
                KernelLayout.cString(event, COMM, 16),
                KernelLayout.cString(event, PATH, KernelLayout.EVENT_PATH),
                KernelLayout.cString(event, SOURCE, KernelLayout.EVENT_PATH),
                KernelLayout.cString(event, PARENT, KernelLayout.EVENT_PATH));
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
