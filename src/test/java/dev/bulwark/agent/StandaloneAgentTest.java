package dev.bulwark.agent;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.EndpointRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The standalone agent with no cluster around: policy files are applied, replaced, rejected and removed live. */
@QuarkusTest
@QuarkusTestResource(value = PolicyDirectoryResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneAgentTest {
    @Inject
    PolicyEngine engine;
    @Inject
    EndpointRegistry endpoints;

    static String hsp(String name, String path) {
        return PolicyDirectoryResource.INITIAL.replace("name: initial", "name: " + name)
                .replace("/etc/initial", path);
    }

    List<String> hostTargets() {
        RuleSet set = engine.ruleSet(endpoints.host());
        return set == null ? List.of() : set.entries().stream().map(e -> e.key().target()).toList();
    }

    void awaitTargets(Predicate<List<String>> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.test(hostTargets())) {
            assertTrue(Instant.now().isBefore(deadline), "rule set never got there: " + hostTargets());
            Thread.sleep(50);
        }
    }

    @Test
    @Order(1)
    void theDirectoryIsAppliedAtStartForThisHost() {
        assertEquals("test-node", endpoints.host().hostName());
        assertEquals(List.of("/etc/initial"), hostTargets());
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'bulwark' }.data.policies", equalTo("loaded"));
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

    @Test
    @Order(6)
    void metricsAreServedInPrometheusFormat() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("# TYPE"));
    }

    static void write(String name, String text) throws IOException {
        Path tmp = PolicyDirectoryResource.dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, PolicyDirectoryResource.dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
