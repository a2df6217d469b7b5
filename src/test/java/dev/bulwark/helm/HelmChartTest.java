package dev.bulwark.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Helm chart, linted and rendered by Helm itself (helm-java bundles Helm 3.16). */
class HelmChartTest {
    static final Path CHART = Path.of("helm/bulwark");

    /** The chart ships the application's CRDs themselves (its crds/ is a link), as Helm reads them. */
    @Test
    void chartCrdsAreTheApplicationsCrds() throws Exception {
        assertTrue(Files.isSymbolicLink(CHART.resolve("crds")), "helm/bulwark/crds is a link, not a second copy");
        String shown = new Helm(CHART).show().crds().call();
        try (Stream<Path> crds = Files.list(Path.of("src/main/resources/crds"))) {
            for (Path crd : crds.sorted().toList()) {
                assertTrue(shown.contains(Files.readString(crd).strip()), crd + " is not in the chart as Helm loads it");
            }
        }
    }

    static List<HasMetadata> render(UnaryOperator<TemplateCommand> values) {
        String yaml = values.apply(new Helm(CHART).template().withName("bulwark").withNamespace("kubearmor")).call();
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
                objects.add(Serialization.unmarshal(document));
            }
        }
        return objects;
    }

    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), type.getSimpleName() + " in " + objects);
        return found.getFirst();
    }

    static Container agent(List<HasMetadata> objects) {
        return only(objects, DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    @Test
    void theChartPassesStrictLint() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @Test
    void theDaemonSetRunsLeastPrivilegedWithTheHostMountsAndProbes() {
        List<HasMetadata> objects = render(t -> t);
        DaemonSet daemonSet = only(objects, DaemonSet.class);
        var pod = daemonSet.getSpec().getTemplate().getSpec();
        // karmor probe looks the DaemonSet up by this label, then its pods by the same.
        assertEquals("kubearmor", daemonSet.getMetadata().getLabels().get("kubearmor-app"));
        assertEquals("kubearmor", daemonSet.getSpec().getTemplate().getMetadata().getLabels().get("kubearmor-app"));
        assertTrue(pod.getHostPID());
        assertEquals("bulwark", pod.getServiceAccountName());
        Container agent = agent(objects);
        assertEquals("ghcr.io/bulwark/bulwark:0.1.0", agent.getImage());
        assertFalse(agent.getSecurityContext().getPrivileged(), "no privileged: true, as upstream");
        assertEquals(List.of("ALL"), agent.getSecurityContext().getCapabilities().getDrop());
        assertEquals(List.of("BPF", "PERFMON", "SYS_ADMIN", "SYS_PTRACE", "SYS_RESOURCE", "IPC_LOCK",
                "DAC_READ_SEARCH", "DAC_OVERRIDE"), agent.getSecurityContext().getCapabilities().getAdd());
        Map<String, String> mounts = agent.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
        assertEquals(Map.of("bpf", "/sys/fs/bpf", "securityfs", "/sys/kernel/security", "debugfs",
                "/sys/kernel/debug", "procfs", "/host/procfs", "runtime-socket", "/run/bulwark/runtime.sock",
                "etc-bulwark", "/etc/bulwark", "policy-store", "/opt/bulwark"), mounts);
        Map<String, String> hostPaths = pod.getVolumes().stream()
                .collect(Collectors.toMap(Volume::getName, v -> v.getHostPath().getPath()));
        assertEquals("/proc", hostPaths.get("procfs"));
        assertEquals("/run/containerd/containerd.sock", hostPaths.get("runtime-socket"));
        assertTrue(agent.getArgs().containsAll(List.of("run", "-procfsPath=/host/procfs",
                "-criSocket=unix:///run/bulwark/runtime.sock", "-containerRuntime=containerd")), agent.getArgs().toString());
        assertEquals("spec.nodeName", agent.getEnv().stream().filter(e -> e.getName().equals("KUBEARMOR_NODENAME"))
                .findFirst().orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals("/q/health/live", agent.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/q/health/ready", agent.getReadinessProbe().getHttpGet().getPath());
        assertEquals("512Mi", agent.getResources().getLimits().get("memory").toString());
    }

    @Test
    void rbacGrantsExactlyWhatTheAgentUses() {
        List<HasMetadata> objects = render(t -> t);
        List<String> kinds = List.of("kubearmorpolicies", "kubearmorhostpolicies", "kubearmorclusterpolicies");
        List<PolicyRule> expected = List.of(
                new PolicyRuleBuilder().withApiGroups("security.kubearmor.com").withResources(kinds)
                        .withVerbs("get", "list", "watch").build(),
                new PolicyRuleBuilder().withApiGroups("security.kubearmor.com")
                        .withResources(kinds.stream().map(k -> k + "/status").toList())
                        .withVerbs("get", "patch", "update").build(),
                new PolicyRuleBuilder().withApiGroups("").withResources("nodes", "pods", "namespaces", "configmaps")
                        .withVerbs("get", "list", "watch").build());
        assertEquals(expected, only(objects, ClusterRole.class).getRules());
        ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
        assertEquals("bulwark", binding.getSubjects().getFirst().getName());
        assertEquals("kubearmor", binding.getSubjects().getFirst().getNamespace());
        assertEquals("bulwark", only(objects, ServiceAccount.class).getMetadata().getName());
    }

    @Test
    void theConfigMapAndServiceCarryKubeArmorsNamesAndDefaults() {
        List<HasMetadata> objects = render(t -> t);
        ConfigMap config = only(objects, ConfigMap.class);
        assertEquals("kubearmor-config", config.getMetadata().getName());
        assertEquals("kubearmor-configmap", config.getMetadata().getLabels().get("kubearmor-app"));
        assertEquals(Map.ofEntries(Map.entry("defaultFilePosture", "audit"), Map.entry("defaultNetworkPosture", "audit"),
                Map.entry("defaultCapabilitiesPosture", "audit"), Map.entry("hostDefaultFilePosture", "audit"),
                Map.entry("hostDefaultNetworkPosture", "audit"), Map.entry("hostDefaultCapabilitiesPosture", "audit"),
                Map.entry("visibility", "process,file,network,capabilities"),
                Map.entry("hostVisibility", "process,file,network,capabilities"),
                Map.entry("alertThrottling", "true"), Map.entry("maxAlertPerSec", "10"), Map.entry("throttleSec", "30"),
                Map.entry("untrackedNs", "kube-system,kubearmor"), Map.entry("matchArgs", "true")), config.getData());
        Service service = only(objects, Service.class);
        assertEquals(32767, service.getSpec().getPorts().getFirst().getPort());
        assertTrue(objects.stream().noneMatch(o -> o.getKind().equals("ServiceMonitor")), "off by default");
    }

    @Test
    void valuesOverrideRuntimePosturesTlsAndMonitoring() {
        List<HasMetadata> objects = render(t -> t.set("runtime", "crio").set("config.defaultFilePosture", "block")
                .set("config.maxAlertPerSec", "3").set("tls.enabled", "true").set("tls.secretName", "bulwark-tls")
                .set("serviceMonitor.enabled", "true").set("image.tag", "dev").set("args[0]", "-enableKubeArmorHostPolicy=true"));
        Container agent = agent(objects);
        assertEquals("ghcr.io/bulwark/bulwark:dev", agent.getImage());
        assertTrue(agent.getArgs().contains("-containerRuntime=cri"), agent.getArgs().toString());
        assertTrue(agent.getArgs().contains("-enableKubeArmorHostPolicy=true"), agent.getArgs().toString());
        var volumes = only(objects, DaemonSet.class).getSpec().getTemplate().getSpec().getVolumes();
        assertEquals("/var/run/crio/crio.sock", volumes.stream().filter(v -> v.getName().equals("runtime-socket"))
                .findFirst().orElseThrow().getHostPath().getPath());
        assertEquals("bulwark-tls", volumes.stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow()
                .getSecret().getSecretName());
        assertTrue(agent.getEnv().stream().anyMatch(e -> e.getName().equals("QUARKUS_GRPC_SERVER_SSL_CERTIFICATE")));
        ConfigMap config = only(objects, ConfigMap.class);
        assertEquals("block", config.getData().get("defaultFilePosture"));
        assertEquals("3", config.getData().get("maxAlertPerSec"));
        GenericKubernetesResource monitor = objects.stream().filter(GenericKubernetesResource.class::isInstance)
                .map(GenericKubernetesResource.class::cast).filter(o -> o.getKind().equals("ServiceMonitor"))
                .findFirst().orElseThrow();
        assertEquals("/q/metrics", monitor.<String>get("spec", "endpoints", 0, "path"));
    }

    @Test
    void theChartsCrdsAreTheGeneratedOnes() throws Exception {
        try (Stream<Path> generated = Files.list(Path.of("src/main/resources/crds"))) {
            List<Path> crds = generated.sorted().toList();
            assertEquals(3, crds.size());
            for (Path crd : crds) {
                assertEquals(Files.readString(crd), Files.readString(CHART.resolve("crds").resolve(crd.getFileName())),
                        crd.getFileName() + " differs in the chart: run CrdGenerationTest with -Dbulwark.crds.update=true");
            }
        }
    }
}
