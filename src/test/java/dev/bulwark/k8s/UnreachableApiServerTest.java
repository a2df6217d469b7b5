package dev.bulwark.k8s;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.agent.AgentMode;
import dev.bulwark.api.feeder.LogServiceGrpc;
import dev.bulwark.api.feeder.NonceMessage;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes mode with an API server that does not answer: the agent still starts, is ready, and serves its
 * gRPC API; the controllers keep retrying in the background.
 */
@QuarkusTest
@TestProfile(UnreachableApiServerTest.Profile.class)
class UnreachableApiServerTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bulwark.k8s", "true", "quarkus.kubernetes-client.api-server-url", "http://127.0.0.1:9",
                    "kubernetes.master", "http://127.0.0.1:9");
        }
    }

    @Inject
    AgentMode mode;

    @Test
    void theAgentStartsAndServesWithoutItsApiServer() throws InterruptedException {
        assertEquals(true, mode.kubernetes());
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'bulwark' }.data.policies", equalTo("loaded"));
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", 32787).usePlaintext().build();
        try {
            assertEquals(7, LogServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .healthCheck(NonceMessage.newBuilder().setNonce(7).build()).getRetval());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
