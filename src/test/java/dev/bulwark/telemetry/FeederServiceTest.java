package dev.bulwark.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.api.feeder.LogServiceGrpc;
import dev.bulwark.api.feeder.NonceMessage;
import dev.bulwark.api.feeder.RequestMessage;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** feeder.LogService over a real gRPC connection, fed through the one telemetry path with synthetic records. */
@QuarkusTest
class FeederServiceTest {
    static final int PORT = 32787;

    @Inject
    Telemetry telemetry;

    ManagedChannel channel;
    LogServiceGrpc.LogServiceBlockingStub blocking;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("localhost", PORT).usePlaintext().build();
        blocking = LogServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static ProcessContext context() {
        return new ProcessContext("default", "node-1", "shop", new ProcessContext.Owner("Deployment", "web", "shop"),
                "web-1", "app=web", "c0ffee", "nginx", "nginx:1.27", 10, 11, 1, 7, 0, "/bin/sh", "/bin/cat",
                "/", "pts0", new ProcessContext.ExecEvent("e1", "sh"));
    }

    static Alert alert(String policy) {
        Instant now = Instant.now();
        return new Alert(now.getEpochSecond(), AgentLog.updatedTime(now), context(), policy, "5", "PCI,NIST",
                List.of("PCI", "NIST"), "secret read", "MatchedPolicy", "/bin/sh", "File", "/etc/secret",
                "lsm=FILE_OPEN flags=O_RDONLY", "BPFLSM", "Block", "Permission denied", null, null);
    }

    static Log log(String resource) {
        Instant now = Instant.now();
        return new Log(now.getEpochSecond(), AgentLog.updatedTime(now), context(), "ContainerLog", "/bin/sh",
                "Network", resource, "syscall=SYS_CONNECT fd=3", "Passed");
    }

    /** Publishes until the stream has said hello: the subscription exists once the first record arrives. */
    static <T> T first(Iterator<T> stream, Runnable publish) throws InterruptedException {
        Thread publisher = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                publish.run();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            return stream.next();
        } finally {
            publisher.interrupt();
            publisher.join();
        }
    }

    @Test
    void healthCheckEchoesTheNonce() {
        assertEquals(4711, blocking.healthCheck(NonceMessage.newBuilder().setNonce(4711).build()).getRetval());
    }

    @Test
    void alertsArriveWithKubeArmorsFields() throws Exception {
        for (String filter : List.of("all", "policy")) {
            Iterator<dev.bulwark.api.feeder.Alert> alerts =
                    blocking.watchAlerts(RequestMessage.newBuilder().setFilter(filter).build());
            dev.bulwark.api.feeder.Alert alert = first(alerts, () -> telemetry.alert(alert("block-secret")));
            assertEquals("block-secret", alert.getPolicyName());
            assertEquals("node-1", alert.getHostName());
            assertEquals("c0ffee", alert.getContainerID());
            assertEquals(11, alert.getHostPID());
            assertEquals(7, alert.getPID());
            assertEquals("Deployment", alert.getOwner().getRef());
            assertEquals("e1", alert.getExecEvent().getExecID());
            assertEquals(List.of("PCI", "NIST"), alert.getATagsList());
            assertEquals("Permission denied", alert.getResult());
            assertTrue(alert.getUpdatedTime().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
                    alert.getUpdatedTime());
            assertEquals(Map.of("Lsm", "FILE_OPEN", "Flags", "O_RDONLY"), alert.getEventDataMap());
        }
    }

    @Test
    void logsArriveAndAlertsDoNotMixIn() throws Exception {
        Iterator<dev.bulwark.api.feeder.Log> logs =
                blocking.watchLogs(RequestMessage.newBuilder().setFilter("system").build());
        dev.bulwark.api.feeder.Log log = first(logs, () -> {
            telemetry.alert(alert("not-a-log"));
            telemetry.log(log("remoteip=10.0.0.1 port=443 protocol=TCP"));
        });
        assertEquals("ContainerLog", log.getType());
        assertEquals("Network", log.getOperation());
        assertEquals(Map.of("Remoteip", "10.0.0.1", "Port", "443", "Protocol", "TCP", "Syscall", "SYS_CONNECT",
                "Fd", "3"), log.getEventDataMap());
        assertEquals("shop", log.getOwner().getNamespace());
    }

    @Test
    void agentMessagesAreStreamed() throws Exception {
        Iterator<dev.bulwark.api.feeder.Message> messages =
                blocking.watchMessages(RequestMessage.newBuilder().setFilter("all").build());
        dev.bulwark.api.feeder.Message message = first(messages, () -> Logger.getLogger(AgentLog.CATEGORY).info("hello from the test"));
        assertEquals("hello from the test", message.getMessage());
        assertEquals("INFO", message.getLevel());
        assertEquals("AgentLog", message.getType());
    }

    @Test
    void anUnknownFilterEndsTheStreamAtOnceSayingWhy() {
        StatusRuntimeException alerts = assertThrows(StatusRuntimeException.class,
                () -> blocking.watchAlerts(RequestMessage.newBuilder().setFilter("everything").build()).next());
        assertEquals(Status.Code.INVALID_ARGUMENT, alerts.getStatus().getCode());
        assertEquals("Filter: must be one of all, policy, not 'everything'", alerts.getStatus().getDescription());
        StatusRuntimeException logs = assertThrows(StatusRuntimeException.class,
                () -> blocking.watchLogs(RequestMessage.newBuilder().setFilter("").build()).next());
        assertEquals("Filter: must be one of all, system, not ''", logs.getStatus().getDescription());
    }

    /**
     * A client that takes one record and then never reads for 30 s, while 100,000 alerts flow: the reading
     * client gets every one of them, in order, and the stuck client's losses are counted for it in metrics.
     */
    @Test
    void aStuckClientNeitherSlowsOthersNorGoesUncounted() throws Exception {
        CountingObserver<RequestMessage, dev.bulwark.api.feeder.Alert> stuck = new CountingObserver<>(1);
        LogServiceGrpc.newStub(channel).watchAlerts(RequestMessage.newBuilder().setFilter("all").build(), stuck);
        Iterator<dev.bulwark.api.feeder.Alert> reader =
                blocking.withDeadlineAfter(120, TimeUnit.SECONDS)
                        .watchAlerts(RequestMessage.newBuilder().setFilter("all").build());
        first(reader, () -> telemetry.alert(alert("warm-up")));
        while (stuck.received.get() == 0) {
            telemetry.alert(alert("warm-up"));
            Thread.sleep(20);
        }

        int total = 100_000;
        long start = System.nanoTime();
        Thread publisher = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < total; i++) {
                telemetry.alert(alert("flood-" + i));
                if (i % 1000 == 999) {
                    long due = start + (i + 1) * 300_000L; // 100,000 over 30 s
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        });
        int next = 0;
        while (next < total) {
            String policy = reader.next().getPolicyName();
            if (policy.startsWith("flood-")) {
                assertEquals("flood-" + next, policy);
                next++;
            }
        }
        publisher.join();
        assertEquals(1, stuck.received.get(), "the stuck client read nothing more");
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        double dropped = metrics.lines().filter(l -> l.startsWith("bulwark_telemetry_subscriber_dropped{")
                        && l.contains("kind=\"WatchAlerts\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
        // Its queue (10,000) and its HTTP/2 flow-control window (1 MiB, about 3,000 alerts) hold the rest.
        assertTrue(dropped >= total - 10_000 - 5_000, "the stuck client's drops are counted: " + dropped);
        assertTrue(metrics.contains("bulwark_dropped_total{reason=\"subscriber_queue_full\"}"), metrics);
    }
}
