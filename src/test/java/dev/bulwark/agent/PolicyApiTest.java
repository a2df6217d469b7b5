package dev.bulwark.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.bulwark.api.policy.PolicyServiceGrpc;
import dev.bulwark.api.policy.PolicyStatus;
import dev.bulwark.api.policy.ProbeResponse;
import dev.bulwark.api.policy.ProbeServiceGrpc;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.intake.PolicySource;
import dev.bulwark.intake.PolicyStore;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.telemetry.AgentLog;
import dev.bulwark.telemetry.Subscription;
import dev.bulwark.telemetry.Telemetry;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** policy.PolicyService and policy.ProbeService over gRPC, and the standard health service on its own port. */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyApiTest {
    static final String HSP = """
            {"type": "%s", "object": {"metadata": {"name": "grpc-shadow"}, "spec": {
              "nodeSelector": {"matchLabels": {"kubearmor.io/hostname": "*"}},
              "file": {"matchPaths": [{"path": "%s"}]}, "action": "Block"}}}""";

    @Inject
    PolicyEngine engine;
    @Inject
    EndpointRegistry endpoints;
    @Inject
    PolicyStore store;
    @Inject
    PolicyIntake intake;
    @Inject
    @io.quarkus.grpc.GrpcService
    PolicyApi policyApi;
    @Inject
    GrpcHealth health;
    @Inject
    Telemetry telemetry;

    ManagedChannel channel;
    PolicyServiceGrpc.PolicyServiceBlockingStub policies;
    final List<AgentLog.Message> messages = new CopyOnWriteArrayList<>();
    Subscription subscription;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("localhost", 32787).usePlaintext().build();
        policies = PolicyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        subscription = telemetry.subscribe(r -> {
            if (r instanceof AgentLog.Message m) {
                messages.add(m);
            }
        });
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        subscription.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    PolicyStatus host(String json) {
        return policies.hostPolicy(dev.bulwark.api.policy.policy.newBuilder()
                .setPolicy(ByteString.copyFromUtf8(json)).build()).getStatus();
    }

    List<String> hostTargets() {
        RuleSet set = engine.ruleSet(endpoints.host());
        return set == null ? List.of() : set.entries().stream().map(e -> e.key().target()).toList();
    }

    static Path stored() {
        return Path.of("target/test-policy-store/KubeArmorHostPolicy.grpc-shadow.json");
    }

    @Test
    @Order(1)
    void addedIsAppliedAndKept() {
        assertEquals(PolicyStatus.Applied, host(HSP.formatted("ADDED", "/etc/grpc-one")));
        assertTrue(hostTargets().contains("/etc/grpc-one"), hostTargets().toString());
        assertTrue(Files.exists(stored()), "kept for the next start");
    }

    @Test
    @Order(2)
    void addedAgainIsAnUpdate() {
        assertEquals(PolicyStatus.Modified, host(HSP.formatted("ADDED", "/etc/grpc-two")));
        assertTrue(hostTargets().contains("/etc/grpc-two"));
        assertFalse(hostTargets().contains("/etc/grpc-one"));
        assertEquals(PolicyStatus.Modified, host(HSP.formatted("MODIFIED", "/etc/grpc-three")));
        assertTrue(hostTargets().contains("/etc/grpc-three"));
    }

    @Test
    @Order(3)
    void badRequestsAreInvalidSayWhyAndChangeNothing() throws Exception {
        List<String> before = hostTargets();
        assertEquals(PolicyStatus.Invalid, host("{not json"));
        assertEquals(PolicyStatus.Invalid, host(HSP.formatted("ADDED", "etc/relative")));
        assertEquals(PolicyStatus.Invalid, host(HSP.formatted("REPLACED", "/etc/x")));
        assertEquals(before, hostTargets());
        Thread.sleep(300);
        assertTrue(messages.stream().anyMatch(m -> m.message().contains("spec.file.matchPaths[0].path")),
                "the reason names the field: " + messages);
        assertTrue(messages.stream().anyMatch(m -> m.message().contains("type: must be ADDED, MODIFIED or DELETED")),
                messages.toString());
    }

    @Test
    @Order(4)
    void theProbeListsThePoliciesPerEndpoint() {
        ProbeResponse probe = ProbeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getProbeData(Empty.getDefaultInstance());
        assertTrue(probe.getHostMapOrThrow(endpoints.host().hostName()).getPolicyListList().contains("grpc-shadow"),
                probe.toString());
        assertTrue(probe.getHostMapOrThrow(endpoints.host().hostName()).getPolicyDataList(0).getPolicy()
                .toStringUtf8().contains("\"kind\":\"KubeArmorHostPolicy\""));
    }

    @Test
    @Order(5)
    void aRestartRestoresWhatWasApplied() {
        // What a restart does: an empty store, then the kept policies read back.
        store.remove(new PolicySource.GrpcRequest(PolicyKind.KubeArmorHostPolicy, "grpc-shadow"));
        assertFalse(hostTargets().contains("/etc/grpc-three"));
        intake.restore();
        assertTrue(hostTargets().contains("/etc/grpc-three"), hostTargets().toString());
    }

    @Test
    @Order(6)
    void deletedRemovesAndUnknownDeletesSaySo() {
        assertEquals(PolicyStatus.Deleted, host(HSP.formatted("DELETED", "/etc/any")));
        assertFalse(hostTargets().contains("/etc/grpc-three"));
        assertFalse(Files.exists(stored()));
        assertEquals(PolicyStatus.NotExist, host(HSP.formatted("DELETED", "/etc/any")));
    }

    @Test
    @Order(7)
    void containerPoliciesApplyAndNetworkPoliciesAreNotEnabled() {
        String ksp = """
                {"type": "ADDED", "object": {"metadata": {"name": "web-ksp", "namespace": "shop"}, "spec": {
                  "selector": {"matchLabels": {"app": "web"}}, "process": {"matchPaths": [{"path": "/bin/sh"}]},
                  "action": "Block"}}}""";
        assertEquals(PolicyStatus.Applied, policies.containerPolicy(dev.bulwark.api.policy.policy.newBuilder()
                .setPolicy(ByteString.copyFromUtf8(ksp)).build()).getStatus());
        assertTrue(store.all().stream().anyMatch(p -> p.qualifiedName().equals("shop/web-ksp")));
        assertEquals(PolicyStatus.Deleted, policies.containerPolicy(dev.bulwark.api.policy.policy.newBuilder()
                .setPolicy(ByteString.copyFromUtf8(ksp.replace("ADDED", "DELETED"))).build()).getStatus());
        assertEquals(PolicyStatus.NotEnabled, policies.networkPolicy(dev.bulwark.api.policy.policy.newBuilder()
                .setPolicy(ByteString.copyFromUtf8(ksp)).build()).getStatus());
    }

    @Test
    @Order(8)
    void theHealthServiceSaysServingPerService() throws InterruptedException {
        ManagedChannel healthChannel = NettyChannelBuilder.forAddress("localhost", health.port()).usePlaintext()
                .build();
        try {
            HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(healthChannel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            for (String service : List.of("", "feeder.LogService", "policy.PolicyService", "policy.ProbeService")) {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING, stub.check(HealthCheckRequest.newBuilder()
                        .setService(service).build()).getStatus(), service);
            }
        } finally {
            healthChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * What `karmor vm policy add` sends for a container policy written without an action or a namespace: an empty
     * action (inherited: Block) and no namespace (the containers no pod owns). It reaches a standalone container.
     */
    @Test
    @Order(9)
    void aKarmorShapedContainerPolicyReachesStandaloneContainers() {
        String karmor = """
                {"type": "ADDED", "object": {"apiVersion": "security.kubearmor.com/v1", "kind": "KubeArmorPolicy",
                  "metadata": {"name": "karmor-ksp"}, "spec": {
                  "selector": {"matchLabels": {"kubearmor.io/container.name": "[]"}},
                  "process": {"matchPaths": [{"path": "/usr/bin/karmor-probe-target", "action": ""}], "action": ""},
                  "file": {"matchExpressions": null},
                  "action": ""}}}""";
        assertEquals(PolicyStatus.Applied, policies.containerPolicy(dev.bulwark.api.policy.policy.newBuilder()
                .setPolicy(ByteString.copyFromUtf8(karmor)).build()).getStatus());
        assertTrue(store.all().stream().anyMatch(p -> p.qualifiedName().equals(
                dev.bulwark.identity.Endpoint.STANDALONE_NAMESPACE + "/karmor-ksp")), store.sources().toString());
        dev.bulwark.identity.Endpoint web = dev.bulwark.identity.Endpoint.container(
                dev.bulwark.identity.Endpoint.STANDALONE_NAMESPACE, "web", "web", java.util.Map.of(),
                new dev.bulwark.identity.KernelIdentity(4026530001L, 4026530002L)).withRuntime("karmor-web", "img");
        endpoints.register(web);
        try {
            RuleSet set = dev.bulwark.Eventually.poll(java.time.Duration.ofSeconds(10),
                    java.time.Duration.ofMillis(50), () -> engine.ruleSet(web), found -> found != null);
            assertTrue(set != null, "the standalone container got rules");
            RuleSet.Entry entry = set.entries().stream()
                    .filter(e -> e.key().target().equals("/usr/bin/karmor-probe-target")).findFirst().orElseThrow();
            assertEquals(1, entry.block().size(), "an empty action is Block: " + entry);
        } finally {
            endpoints.removeContainer("karmor-web");
            policies.containerPolicy(dev.bulwark.api.policy.policy.newBuilder()
                    .setPolicy(ByteString.copyFromUtf8(karmor.replace("ADDED", "DELETED"))).build());
        }
    }

    /** What `karmor probe` reads on a host without Kubernetes: upstream's file, in upstream's field names. */
    @Test
    @Order(10)
    void theProbeDataFileSaysWhatKarmorProbeReads() throws Exception {
        com.fasterxml.jackson.databind.JsonNode data = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(Path.of("target/karmorProbeData.cfg")));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip(),
                data.path("KernelVersion").asText());
        // This machine refuses BPF-LSM programs: audit-only, so no LSM enforces and no policy kind is enforced.
        assertEquals("", data.path("ActiveLSM").asText());
        assertFalse(data.path("ContainerSecurity").asBoolean(true));
        assertTrue(data.path("KernelHeaderPresent").asBoolean());
        for (String scope : List.of("ContainerDefaultPosture", "HostDefaultPosture")) {
            for (String field : List.of("file", "network", "capabilties")) {
                assertTrue(List.of("audit", "block").contains(data.path(scope).path(field).asText()),
                        scope + "." + field + " in " + data);
            }
        }
        assertTrue(data.has("HostVisibility") && data.has("OSImage") && data.has("KubeletVersion")
                && data.has("ContainerRuntime") && data.has("HostSecurity"), data.toString());
    }

    /**
     * A pattern set the glob automaton cannot hold within bulwark.maxGlobStates: the request fails saying which
     * policy, and the host's rules in force are those of before; withdrawn, the host compiles again.
     */
    @Test
    @Order(11)
    void aPatternSetTooBigForTheAutomatonLeavesTheRulesInForce() throws Exception {
        assertEquals(PolicyStatus.Applied, host(HSP.formatted("ADDED", "/etc/before-globs")));
        List<String> before = hostTargets();
        StringBuilder patterns = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            patterns.append(i == 0 ? "" : ", ").append("{\"pattern\": \"/too-big-").append(i)
                    .append("/*/abcdefghijklmnopq*\"}");
        }
        String big = """
                {"type": "ADDED", "object": {"metadata": {"name": "glob-flood"}, "spec": {
                  "nodeSelector": {"matchLabels": {"kubearmor.io/hostname": "*"}},
                  "file": {"matchPatterns": [%s]}, "action": "Block"}}}""".formatted(patterns);
        assertEquals(PolicyStatus.Failure, host(big));
        assertEquals(before, hostTargets(), "the rules of before stay in force");
        Thread.sleep(300);
        assertTrue(messages.stream().anyMatch(m -> m.message().contains("glob-flood (4000)")
                && m.message().contains("bulwark.maxGlobStates")), messages.toString());
        assertEquals(PolicyStatus.Deleted, host(big.replace("ADDED", "DELETED")));
        assertEquals(PolicyStatus.Deleted, host(HSP.formatted("DELETED", "/etc/any")));
    }
}
