package dev.bulwark.config;

import dev.bulwark.policy.Posture;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Agent settings. Keys are KubeArmor's own (camelCase, as in its flags and `kubearmor-config` ConfigMap) under
 * the prefix `bulwark.`, with KubeArmor's defaults; e.g. `-Dbulwark.defaultFilePosture=block` or the
 * environment variable BULWARK_DEFAULTFILEPOSTURE=block. A value that cannot be converted stops the start
 * with a message naming its key; {@link ConfigCheck} adds the range checks.
 */
@ConfigMapping(prefix = "bulwark", namingStrategy = ConfigMapping.NamingStrategy.VERBATIM)
public interface BulwarkConfig {
    /** Cluster name reported in every alert and log. */
    @WithDefault("default")
    String cluster();

    /** Host name reported in alerts and matched by host policies; the machine's host name when unset. */
    Optional<String> host();

    /** The host name in effect: `host`, else the node's name (KUBEARMOR_NODENAME), else the machine's. */
    default String hostName() {
        return host().or(() -> Optional.ofNullable(System.getenv("KUBEARMOR_NODENAME"))).orElseGet(HostName::local);
    }

    /** Port of the KubeArmor-compatible gRPC services (feeder.LogService, policy.PolicyService). */
    @WithDefault("32767")
    int grpc();

    /** Port of the HTTP endpoints: /q/health/live, /q/health/ready, /q/metrics; below the ephemeral range (32768+). */
    @WithDefault("32765")
    int healthPort();

    /** Where alerts and logs go as JSON lines: `stdout`, a file path, or `none`. */
    @WithDefault("none")
    String logPath();

    /** Classes of container events reported as logs. */
    @WithDefault("process,file,network,capabilities")
    List<Visibility> visibility();

    /** Classes of host events reported as logs (KubeArmor's "default" means this list). */
    @WithDefault("process,file,network,capabilities")
    List<Visibility> hostVisibility();

    /**
     * Per-namespace visibility overriding `visibility` (KubeArmor's namespace annotation
     * `kubearmor-visibility`), e.g. `bulwark.namespaceVisibility.quiet=none`.
     */
    Map<String, List<Visibility>> namespaceVisibility();

    /** Run the system monitor (process tree, logs, monitor alerts). */
    @WithDefault("true")
    boolean enableSystemMonitor();

    /** Most live processes the process tree holds; beyond it the least recently active are evicted. */
    @WithDefault("16384")
    int maxProcesses();

    /** The node's procfs (a DaemonSet mounts the host's at /host/procfs). */
    @WithDefault("/proc")
    Path procfsPath();

    @WithDefault("audit")
    Posture defaultFilePosture();

    @WithDefault("audit")
    Posture defaultNetworkPosture();

    @WithDefault("audit")
    Posture defaultCapabilitiesPosture();

    @WithDefault("audit")
    Posture hostDefaultFilePosture();

    @WithDefault("audit")
    Posture hostDefaultNetworkPosture();

    @WithDefault("audit")
    Posture hostDefaultCapabilitiesPosture();

    /** Limit alerts per container: at most maxAlertPerSec, then silence for throttleSec seconds. */
    @WithDefault("true")
    boolean alertThrottling();

    @WithDefault("10")
    int maxAlertPerSec();

    @WithDefault("30")
    int throttleSec();

    /** Namespaces whose containers are neither monitored nor enforced. */
    @WithDefault("kube-system,kubearmor")
    List<String> untrackedNs();

    /** Preferred LSMs in order; Bulwark enforces with `bpf` and reports the others as unsupported. */
    @WithDefault("bpf")
    List<String> lsm();

    /** Where BPF maps are pinned so enforcement survives an agent restart. */
    @WithDefault("/sys/fs/bpf")
    String bpfFsPath();

    /** Where the agent writes what `karmor probe` reads about it (upstream's path). */
    @WithDefault("/tmp/karmorProbeData.cfg")
    String probeDataPath();

    /** Most endpoints (containers and the host) with rules in the kernel; one more is refused with an error. */
    @WithDefault("4096")
    int maxEndpoints();

    /** Most kernel entries one endpoint's rule set may have; a bigger rule set is refused with an error. */
    @WithDefault("65536")
    int maxRulesPerEndpoint();

    /**
     * Most states one endpoint's glob automaton (its matchPatterns beyond the hashed forms) may have; a pattern
     * set that needs more is refused with an error naming its policies, and the previous rules stay.
     */
    @WithDefault("65536")
    int maxGlobStates();

    /** Enforce `allowedArgs` of process rules. */
    @WithDefault("true")
    boolean matchArgs();

    @WithDefault("true")
    boolean enableKubeArmorPolicy();

    /** Host policies; always on in standalone mode, as in KubeArmor's systemd mode. */
    @WithDefault("false")
    boolean enableKubeArmorHostPolicy();

    /** Run in Kubernetes mode when a cluster is reachable (in-cluster or kubeconfig). */
    @WithDefault("true")
    boolean k8s();

    /**
     * Records each telemetry reader (gRPC stream, in-process consumer) may have waiting; beyond that, new records
     * are dropped for that reader and counted.
     */
    /**
     * selfProtection (BPF-LSM): only the agent may use the enforcer's BPF maps, programs and links, signal it (its
     * parent and init excepted: the service manager or the container runtime stop it as usual) or ptrace it, and
     * change its program, policy directory, policy store and pins. Off: any root process may.
     */
    @WithDefault("true")
    boolean selfProtection();

    /**
     * Serve KubeArmor's `policy.PolicyService` (karmor vm policy add). Unset: served without Kubernetes, not in
     * Kubernetes mode, where upstream does not serve it and policies come from the API server (a pod reaching the
     * port must not add policies the API server never shows).
     */
    Optional<Boolean> enablePolicyService();

    /**
     * PolicyService calls must come with a client certificate the gRPC server verified against its trust store
     * (quarkus.grpc.server.ssl.trust-store, with quarkus.grpc.server.ssl.client-auth=REQUEST so that log
     * readers need none).
     */
    @WithDefault("false")
    boolean policyServiceClientCertificate();

    @WithDefault("10000")
    int subscriberQueueSize();

    /**
     * Have the kernel count each BPF program's run time and runs (bpf_stats) for the metrics; costs two clock
     * reads per program run. Without it the counters are filled only if `kernel.bpf_stats_enabled` is set.
     */
    @WithDefault("false")
    boolean bpfStats();

    /** Port of the standard gRPC health service (grpc.health.v1.Health); 0 picks a free one. */
    @WithDefault("32766")
    int grpcHealthPort();

    /** Where policies applied through gRPC PolicyService are kept, to be restored at start. */
    @WithDefault("/opt/bulwark/policies")
    Path policyStorePath();

    /**
     * Kubernetes mode: ask the API server for this node's pods only (field selector `spec.nodeName`); false
     * watches every pod and keeps this node's, for API servers without that field selector.
     */
    @WithDefault("true")
    boolean podFieldSelector();

    /** Container runtime socket; auto-discovered when unset. */
    Optional<String> criSocket();

    /**
     * How to talk to the runtime at the socket: `auto` decides by the socket's name (docker, containerd, else
     * CRI); `cri` speaks the Kubernetes CRI to any runtime, containerd included.
     */
    @WithDefault("auto")
    RuntimeApi containerRuntime();

    enum RuntimeApi { auto, docker, containerd, cri }

    /** Unix socket where runtimes (or `bulwark hook`) register containers before their first exec. */
    @WithDefault("/run/bulwark/register.sock")
    Path registrationSocket();

    /** Standalone mode: directory of policy files (YAML or JSON), watched for changes. */
    @WithDefault("/etc/bulwark/policies")
    Path policyDir();
}
