package dev.bulwark.monitor;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.bpf.KernelNames;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.monitor.ProcessTree.ProcessInfo;
import dev.bulwark.policy.Syscall;
import java.nio.file.Path;

/**
 * What KubeArmor's log of a monitor event says: the operation, the resource acted on, the call's data and
 * its result, in KubeArmor's wording ("syscall=SYS_OPENAT fd=-100 flags=O_RDONLY").
 */
public final class MonitorLogs {
    private MonitorLogs() {
    }

    /** One event's description; path is the resource path made absolute where it is a path. */
    public record Description(RuleClass ruleClass, String operation, String resource, String data, String result,
            String path) {
    }

    /** The description of an exec or syscall event (null for events that are not logged). */
    public static Description describe(MonitorEvent event, ProcessInfo process, ProcessTree tree) {
        String syscall = "syscall=" + Syscalls.name(event.syscall());
        long[] a = event.args();
        String result = result(event);
        if (event.kind() == dev.bulwark.bpf.KernelLayout.MONITOR_EXEC) {
            String command = process == null ? event.path() : process.command();
            return new Description(RuleClass.PROCESS, "Process", command, syscall, "Passed", event.path());
        }
        String path = absolute(event.path(), event.cwd());
        Syscall call = Syscalls.of(event.syscall());
        if (call == null) {
            return null;
        }
        return switch (call) {
            case execve, execveat ->
                    new Description(RuleClass.PROCESS, "Process", path, syscall, result, path);
            case open -> file(path, syscall + " flags=" + Syscalls.openFlags(a[1]), result);
            case openat -> file(path, syscall + " fd=" + Syscalls.fd(a[0]) + " flags="
                    + Syscalls.openFlags(a[2]), result);
            case unlink, rmdir -> file(path, syscall, result);
            case unlinkat -> file(path, syscall + " flags=" + ((a[2] & 0x200) != 0 ? "AT_REMOVEDIR" : ""),
                    result);
            case chown -> file(path, syscall + " userid=" + (int) a[1] + " group=" + (int) a[2], result);
            case fchownat -> file(path, syscall + " userid=" + (int) a[2] + " group=" + (int) a[3]
                    + " mode=" + (int) a[4], result);
            case setuid, setgid -> new Description(RuleClass.PROCESS, "Syscall", "",
                    syscall + " userid=" + (int) a[0], result, null);
            case mount -> new Description(RuleClass.PROCESS, "Syscall", "", syscall + " source="
                    + event.path() + " target=" + event.path2() + " filesystem=" + Syscalls.cString(event.data(), 0)
                    + " mountflag=" + (int) a[3] + " data=", result, null);
            case umount2 -> new Description(RuleClass.PROCESS, "Syscall", "", syscall + " target="
                    + event.path() + " flag=" + (int) a[1], result, null);
            case ptrace -> {
                ProcessInfo target = tree.get((int) a[1]);
                String binary = target == null ? "" : target.execPath();
                yield new Description(RuleClass.PROCESS, "Process", binary, syscall + " request="
                        + Syscalls.ptraceRequest(a[0]) + " pid=" + (int) a[1] + " process=" + binary, result, null);
            }
            case socket -> new Description(RuleClass.NETWORK, "Network", "domain="
                    + KernelNames.family((int) a[0]) + " type=" + KernelNames.socketType(a[1]) + " protocol="
                    + KernelNames.protocol((int) a[2]), syscall, result, null);
            case connect, bind, accept, accept4 -> new Description(
                    RuleClass.NETWORK, "Network", Syscalls.sockaddr(event.data()), syscall + " fd=" + Syscalls.fd(a[0]),
                    result, null);
            case listen -> new Description(RuleClass.NETWORK, "Network", "",
                    syscall + " fd=" + Syscalls.fd(a[0]), result, null);
            case sendto, sendmsg, sendmmsg -> event.dns() == null ? null : new Description(RuleClass.DNS, "Network",
                    "sa_family=AF_INET sin_port=53", "kfunc=UDP_SENDMSG,domain=" + event.dns().name() + ",daddr="
                    + daddr(event.data()) + ",qtype=" + event.dns().type(), result, event.dns().name());
            default -> null;
        };
    }

    /** KubeArmor's Result: "Passed", or the error in words. */
    static String result(MonitorEvent event) {
        return event.retval() >= 0 ? "Passed" : Bpf.strerror((int) -event.retval());
    }

    /** A path as the process named it, made absolute against its working directory. */
    static String absolute(String path, String cwd) {
        if (path.isEmpty() || path.startsWith("/") || cwd.isEmpty()) {
            return path;
        }
        return Path.of(cwd).resolve(path).normalize().toString();
    }

    private static Description file(String path, String data, String result) {
        return new Description(RuleClass.FILE, "File", path, data, result, path);
    }

    private static String daddr(byte[] sockaddr) {
        String text = Syscalls.sockaddr(sockaddr);
        int at = text.indexOf("sin_addr=");
        return at < 0 ? "" : text.substring(at + "sin_addr=".length());
    }
}
