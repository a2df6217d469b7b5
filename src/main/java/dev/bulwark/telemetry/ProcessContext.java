package dev.bulwark.telemetry;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bulwark.identity.Endpoint;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where an alert or log comes from: the node, the container (empty for the host) and the process, with
 * KubeArmor's field names. Alerts and logs embed it unwrapped, so their JSON is KubeArmor's flat shape.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProcessContext(
        @JsonProperty("ClusterName") String clusterName,
        @JsonProperty("HostName") String hostName,
        @JsonProperty("NamespaceName") String namespaceName,
        @JsonProperty("Owner") Owner owner,
        @JsonProperty("PodName") String podName,
        @JsonProperty("Labels") String labels,
        @JsonProperty("ContainerID") String containerId,
        @JsonProperty("ContainerName") String containerName,
        @JsonProperty("ContainerImage") String containerImage,
        @JsonProperty("HostPPID") int hostPpid,
        @JsonProperty("HostPID") int hostPid,
        @JsonProperty("PPID") int ppid,
        @JsonProperty("PID") int pid,
        @JsonProperty("UID") int uid,
        @JsonProperty("ParentProcessName") String parentProcessName,
        @JsonProperty("ProcessName") String processName,
        @JsonProperty("Cwd") String cwd,
        @JsonProperty("TTY") String tty,
        @JsonProperty("ExecEvent") ExecEvent execEvent) {

    /** The context of a process of an endpoint; the container fields stay empty for the host. */
    public static ProcessContext of(String cluster, String hostName, Endpoint endpoint, int hostPpid, int hostPid,
            int ppid, int pid, int uid, String parentProcessName, String processName, String cwd, String tty,
            ExecEvent execEvent) {
        boolean host = endpoint == null || endpoint.isHost();
        Owner owner = host || endpoint.owner() == null ? null
                : new Owner(endpoint.owner().kind(), endpoint.owner().name(), endpoint.owner().namespace());
        return new ProcessContext(cluster, hostName, host ? "" : endpoint.namespace(), owner,
                host ? "" : endpoint.pod(), host ? "" : labels(endpoint.labels()),
                host ? "" : endpoint.containerId(), host ? "" : endpoint.container(), host ? "" : endpoint.image(),
                hostPpid, hostPid, ppid, pid, uid, parentProcessName, processName, cwd, tty, execEvent);
    }

    /** KubeArmor's Labels: "k=v,k2=v2". */
    static String labels(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** The workload that owns a pod (feeder.Podowner). */
    public record Owner(@JsonProperty("Ref") String ref, @JsonProperty("Name") String name,
            @JsonProperty("Namespace") String namespace) {
    }

    /** The `kubectl exec`-style session a process belongs to (feeder.ExecEvent). */
    public record ExecEvent(@JsonProperty("ExecID") String execId,
            @JsonProperty("ExecutableName") String executableName) {
    }
}
