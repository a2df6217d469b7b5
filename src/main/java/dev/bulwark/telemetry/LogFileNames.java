package dev.bulwark.telemetry;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.util.Map;

/**
 * KubeArmor's field names in its JSON log lines (stdout or `logPath`), which are not the gRPC names: mostly
 * the gRPC name with a lower-case first letter, with the exceptions its Go json tags spell differently. The
 * ExecEvent fields have no tags upstream and keep their gRPC names.
 */
final class LogFileNames extends PropertyNamingStrategies.NamingBase {
    private static final Map<String, String> EXCEPTIONS = Map.of(
            "HostPPID", "hostPPid", "HostPID", "hostPid", "PPID", "ppid", "PID", "pid", "UID", "uid",
            "ATags", "atags", "TTY", "tty", "HostIP", "hostIP", "ExecID", "ExecID",
            "ExecutableName", "ExecutableName");

    @Override
    public String translate(String name) {
        String exception = EXCEPTIONS.get(name);
        if (exception != null) {
            return exception;
        }
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
