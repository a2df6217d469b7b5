package dev.bulwark.agent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.Eventually;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.intake.PolicyStore;
import dev.bulwark.policy.PolicyKind;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The standalone agent with no cluster around: policy files are applied, replaced, rejected and removed live. */
@QuarkusTest
@QuarkusTestResource(value = PolicyDirectoryResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneAgentTest {
    @Inject
    PolicyEngine engine;
    @Inject
    EndpointRegistry endpoints;
    @Inject
    PolicyStore store;

    static String hsp(String name, String path) {
        return PolicyDirectoryResource.INITIAL.replace("name: initial", "name: " + name)
                .replace("/etc/initial", path);
    }

    List<String> hostTargets() {
        RuleSet set = engine.ruleSet(endpoints.host());
        // The policies' own keys, not the directories above them the compiler adds (ANCESTOR).
        return set == null ? List.of() : set.entries().stream().filter(e -> e.key().match() != RuleSet.Match.ANCESTOR)
                .map(e -> e.key().target()).toList();
    }

    void awaitTargets(Predicate<List<String>> condition) throws InterruptedException {
        List<String> targets = Eventually.poll(Duration.ofSeconds(10), Duration.ofMillis(50), this::hostTargets,
                condition);
        assertTrue(condition.test(targets), "rule set never got there: " + targets);
    }

    @Test
    @Order(1)
    void theDirectoryIsAppliedAtStartForThisHost() {
        assertEquals("test-node", endpoints.host().hostName());
        assertEquals(List.of("/etc/initial"), hostTargets());
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'bulwark' }.data.policies", equalTo("loaded"))
                .body("checks.find { it.name == 'bulwark' }.data.grpc", equalTo("serving"))
                .body("checks.find { it.name == 'bulwark' }.data.rules", containsString("audit only"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    @Order(2)
    void aNewFileIsAppliedWithoutRestart() throws Exception {
        write("second.yaml", hsp("second", "/etc/second"));
        awaitTargets(t -> t.contains("/etc/second") && t.contains("/etc/initial"));
    }

    @Test
    @Order(3)
    void anInvalidEditKeepsTheLastGoodVersion() throws Exception {
        write("second.yaml", hsp("second", "etc/relative"));
        write("third.yaml", hsp("third", "/etc/third"));
        awaitTargets(t -> t.contains("/etc/third"));
        assertTrue(hostTargets().contains("/etc/second"), "last good version of second.yaml stays in force");
        assertTrue(hostTargets().stream().noneMatch(t -> t.contains("relative")));
    }

    @Test
    @Order(4)
    void aPolicyNameDefinedByAnotherFileIsRejected() throws Exception {
        write("clash.yaml", hsp("initial", "/etc/clash"));
        write("fourth.yaml", hsp("fourth", "/etc/fourth"));
        awaitTargets(t -> t.contains("/etc/fourth"));
        assertTrue(!hostTargets().contains("/etc/clash"), "duplicate policy name must not be applied");
    }

    @Test
    @Order(5)
    void aDeletedFileTakesItsRulesAway() throws Exception {
        Files.delete(PolicyDirectoryResource.dir.resolve("third.yaml"));
        awaitTargets(t -> !t.contains("/etc/third"));
        assertTrue(hostTargets().contains("/etc/initial"));
    }

    static String register(String request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of("target/register.sock")));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Order(6)
    void aContainerRegisteredThroughTheSocketGetsItsPolicyAndLosesItOnDelete() throws Exception {
        write("ksp.yaml", """
                apiVersion: security.kubearmor.com/v1
                kind: KubeArmorPolicy
                metadata: {name: web-only, namespace: shop}
                spec:
                  selector: {matchLabels: {app: web}}
                  file: {matchPaths: [{path: /etc/web-secret}]}
                """);
        long pid = ProcessHandle.current().pid();
        String response = register("""
                {"op": "create", "state": {"ociVersion": "1.0.2", "id": "c1", "status": "creating", "pid": %d,
                 "annotations": {"io.kubernetes.pod.namespace": "shop", "io.kubernetes.pod.name": "web-1",
                  "io.kubernetes.container.name": "nginx", "bulwark.io/labels": "app=web,tier=front"}}}
                """.formatted(pid));
        assertTrue(response.startsWith("{\"status\":\"ok\""), response);
        Endpoint container = endpoints.all().stream().filter(e -> !e.isHost()).findFirst().orElseThrow();
        assertEquals("shop", container.namespace());
        assertEquals("nginx", container.container());
        assertEquals(Map.of("app", "web", "tier", "front"), container.labels());
        RuleSet rules = Eventually.poll(Duration.ofSeconds(10), Duration.ofMillis(50), () -> engine.ruleSet(container),
                set -> set != null && !set.entries().isEmpty());
        assertTrue(rules != null && !rules.entries().isEmpty(), "the container never got the KSP's rules");
        assertEquals("/etc/web-secret", engine.ruleSet(container).entries().getFirst().key().target());
        assertTrue(!hostTargets().contains("/etc/web-secret"), "a KSP never reaches the host");

        assertTrue(register("""
                {"op": "delete", "state": {"id": "c1"}}""").startsWith("{\"status\":\"ok\""));
        assertTrue(endpoints.all().stream().allMatch(Endpoint::isHost));

        // containerd's CRI plugin names the container in its own annotations
        assertTrue(register("""
                {"op": "create", "state": {"id": "c2", "pid": %d, "annotations": {
                 "io.kubernetes.cri.sandbox-namespace": "shop", "io.kubernetes.cri.sandbox-name": "web-2",
                 "io.kubernetes.cri.container-name": "app", "io.kubernetes.cri.image-name": "nginx:1.27"}}}
                """.formatted(pid)).startsWith("{\"status\":\"ok\""));
        Endpoint named = endpoints.byContainerId("c2");
        assertEquals(List.of("shop", "web-2", "app", "nginx:1.27"),
                List.of(named.namespace(), named.pod(), named.container(), named.image()));
        register("""
                {"op": "delete", "state": {"id": "c2"}}""");
    }

    /**
     * The kernel hands a dead container's namespace inode numbers to the next namespaces it creates, and a
     * runtime may report the newcomer before the old container's death. Modelled here with one process in its
     * own pid and mount namespaces, claimed first by container "old" (matching the KSP) and then by "new"
     * (matching nothing): "new" gets its own rules only, and the late delete of "old" leaves it alone.
     */
    @Test
    @Order(7)
    void aContainerWithReusedNamespacesNeverInheritsTheRulesOfTheDeadOne() throws Exception {
        Process namespaced = new ProcessBuilder("unshare", "--pid", "--mount", "--fork", "sleep", "60").start();
        try {
            long pid = awaitChild(namespaced);
            KernelIdentity identity = KernelIdentity.ofProcess(pid);
            assertFalse(identity.isHost());
            String create = """
                    {"op": "create", "state": {"id": "%s", "pid": %d, "annotations": {
                     "io.kubernetes.pod.namespace": "shop", "bulwark.io/labels": "app=%s"}}}""";
            assertTrue(register(create.formatted("old", pid, "web")).startsWith("{\"status\":\"ok\""));
            awaitContainerTargets(identity, t -> t.contains("/etc/web-secret"));

            assertTrue(register(create.formatted("new", pid, "batch")).startsWith("{\"status\":\"ok\""));
            awaitContainerTargets(identity, List::isEmpty);
            assertEquals("new", endpoints.find(identity).containerId());

            register("""
                    {"op": "delete", "state": {"id": "old"}}""");
            assertEquals("new", endpoints.find(identity).containerId(), "a late delete took the newcomer away");
            assertEquals(List.of(), containerTargets(identity));
            assertTrue(register("""
                    {"op": "delete", "state": {"id": "new"}}""").startsWith("{\"status\":\"ok\""));
            assertNull(endpoints.find(identity));
        } finally {
            namespaced.toHandle().descendants().forEach(ProcessHandle::destroy);
            namespaced.destroy();
        }
    }

    static long awaitChild(Process process) throws InterruptedException {
        Optional<ProcessHandle> child = Eventually.poll(Duration.ofSeconds(10), Duration.ofMillis(20),
                () -> process.toHandle().children().findFirst(), Optional::isPresent);
        assertTrue(child.isPresent(), "unshare started no child");
        return child.get().pid();
    }

    List<String> containerTargets(KernelIdentity identity) {
        Endpoint endpoint = endpoints.find(identity);
        RuleSet set = endpoint == null ? null : engine.ruleSet(endpoint);
        return set == null ? null : set.entries().stream().map(e -> e.key().target()).toList();
    }

    void awaitContainerTargets(KernelIdentity identity, Predicate<List<String>> condition) throws Exception {
        List<String> targets = Eventually.poll(Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> containerTargets(identity), t -> t != null && condition.test(t));
        assertTrue(targets != null && condition.test(targets), "the container's rules never got there: " + targets);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json",
            "{\"op\": \"start\", \"state\": {\"id\": \"x\", \"pid\": 1}}",
            "{\"op\": \"create\", \"state\": {\"id\": \"x\"}}",
            "{\"op\": \"create\", \"state\": {\"id\": \"x\", \"pid\": 999999999}}",
            "{\"op\": \"create\", \"state\": {\"pid\": 1}}",
            "{\"op\": \"delete\", \"state\": {\"id\": \"never-registered\"}}",
    })
    @Order(8)
    void badRegistrationsAreAnsweredWithAnErrorAndChangeNothing(String request) throws Exception {
        String response = register(request);
        assertTrue(response.startsWith("{\"status\":\"error\",\"message\":\""), response);
        assertTrue(endpoints.all().stream().allMatch(Endpoint::isHost));
    }

    @Test
    @Order(9)
    void metricsAreServedInPrometheusFormat() {
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("bulwark_policies{kind=\"KubeArmorHostPolicy\"} "
                        + (double) store.all().stream().filter(p -> p.kind() == PolicyKind.KubeArmorHostPolicy).count()))
                .body(containsString("bulwark_policies{kind=\"KubeArmorPolicy\"} 1.0"))
                .body(containsString("bulwark_endpoints 1.0"))
                .body(containsString("bulwark_dropped_total{reason=\"enforcer_ring_full\"} 0.0"))
                .body(containsString("bulwark_dropped_total{reason=\"monitor_ring_full\"} 0.0"))
                .body(containsString("bulwark_dropped_total{reason=\"unattributed\"} 0.0"))
                .body(containsString("bulwark_dropped_total{reason=\"subscriber_queue_full\"} 0.0"))
                .body(containsString("bulwark_monitor_filtered_total{class=\"dns\",scope=\"host\"}"))
                .body(containsString("bulwark_rule_entries "));
    }

    static void write(String name, String text) throws IOException {
        Path tmp = PolicyDirectoryResource.dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, PolicyDirectoryResource.dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
