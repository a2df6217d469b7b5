package dev.bulwark.k8s;

import static dev.bulwark.k8s.PolicyControllersTest.await;
import static dev.bulwark.k8s.PolicyControllersTest.hsp;
import static dev.bulwark.k8s.PolicyControllersTest.parse;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.agent.PolicyEngine;
import dev.bulwark.api.feeder.LogServiceGrpc;
import dev.bulwark.api.feeder.NonceMessage;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.policy.KubeArmorHostPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The API server away at start, then there, then away again and back: the agent reaches it through a relay the
 * test cuts and reopens, while the (mock) API server keeps its state and the test changes it directly. The agent
 * waits for it in readiness at first, keeps the last known rules in force while it is away, and catches up with
 * what changed meanwhile when it returns. (Deletions made meanwhile reach the agent through a real API server's
 * watch replay or, once history is compacted, a relist after 410 Gone; the mock server replays neither, so the
 * test changes and creates.)
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(ApiServerOutageTest.Profile.class)
class ApiServerOutageTest {
    static final int RELAY_PORT = 32789;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String relay = "http://127.0.0.1:" + RELAY_PORT;
            return Map.of("bulwark.k8s", "true", "bulwark.host", "node-1", "bulwark.enableKubeArmorHostPolicy", "true",
                    "bulwark.podFieldSelector", "false", "quarkus.kubernetes-client.api-server-url", relay,
                    "kubernetes.master", relay);
        }
    }

    @KubernetesTestServer
    KubernetesServer apiServer;
    @Inject
    PolicyEngine engine;
    @Inject
    EndpointRegistry endpoints;

    TcpRelay relay;

    @AfterEach
    void closeRelay() {
        if (relay != null) {
            relay.close();
        }
    }

    List<String> hostTargets() {
        RuleSet set = engine.ruleSet(endpoints.host());
        return set == null ? List.of() : set.entries().stream().map(e -> e.key().target()).toList();
    }

    static JsonPath readiness() {
        return given().get("/q/health/ready").then().extract().jsonPath();
    }

    static String kubernetesReadiness() {
        return readiness().getString("checks.find { it.name == 'bulwark' }.data.kubernetes");
    }

    static String status() {
        return readiness().getString("status");
    }

    @Test
    void theAgentWaitsForTheApiServerKeepsItsRulesWhileItIsAwayAndCatchesUp() throws Exception {
        KubernetesClient direct = apiServer.getClient();
        direct.resource(parse(hsp("/etc/before-outage"), KubeArmorHostPolicy.class)).create();

        // Away at start: gRPC and health serve, readiness says what it waits for.
        String waiting = kubernetesReadiness();
        assertEquals("DOWN", status());
        assertTrue(waiting.startsWith("waiting for the API server: policies"), waiting);
        assertTrue(waiting.contains("pods of this node") && waiting.contains("this node"), waiting);
        given().get("/q/health/live").then().statusCode(200);
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", 32787).usePlaintext().build();
        try {
            assertEquals(7, LogServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .healthCheck(NonceMessage.newBuilder().setNonce(7).build()).getRetval());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        relay = new TcpRelay(RELAY_PORT, new InetSocketAddress(apiServer.getKubernetesMockServer().getHostName(),
                apiServer.getKubernetesMockServer().getPort()));
        relay.open();
        await(() -> hostTargets().contains("/etc/before-outage"), Duration.ofSeconds(30), "the policy arrives");
        await(() -> "UP".equals(status()) && "watching".equals(kubernetesReadiness()), Duration.ofSeconds(30),
                "ready once everything has been listed");

        relay.cut();
        await(() -> kubernetesReadiness().startsWith("reconnecting to the API server"), Duration.ofSeconds(30),
                "readiness says the API server is away");
        assertEquals("UP", status(), "the agent stays ready: its rules are in force");
        KubeArmorHostPolicy changed = parse(hsp("/etc/changed-in-outage"), KubeArmorHostPolicy.class);
        changed.getMetadata().setResourceVersion(null);
        direct.resource(changed).update();
        direct.resource(parse(hsp("/etc/during-outage").replace("node-files", "node-files-2"),
                KubeArmorHostPolicy.class)).create();
        Thread.sleep(2000); // the agent cannot see these changes now
        assertTrue(hostTargets().contains("/etc/before-outage"), "the last known rules stay in force");
        assertFalse(hostTargets().contains("/etc/during-outage"), hostTargets().toString());

        relay.open();
        await(() -> hostTargets().containsAll(List.of("/etc/during-outage", "/etc/changed-in-outage"))
                && !hostTargets().contains("/etc/before-outage"), Duration.ofSeconds(60),
                "the changes made meanwhile apply once the API server is back");
        await(() -> "watching".equals(kubernetesReadiness()), Duration.ofSeconds(30), "and it is watched again");
    }
}
