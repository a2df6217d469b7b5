package dev.bulwark.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Where every alert and log goes: counted in metrics, written by the JSON sink (`logPath`), and handed to the
 * subscribers (gRPC streams and in-process consumers), each through its own bounded queue and drained on its
 * own thread.
 */
@Singleton
public class Telemetry {
    private static final Logger LOG = Logger.getLogger(Telemetry.class);

    @Inject
    JsonSink json;
    @Inject
    Subscribers subscribers;
    @Inject
    MeterRegistry metrics;

    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

    public void alert(Alert alert) {
        count("bulwark.alerts", "alerts, by policy and action", "policy", alert.policyName(), "action",
                alert.action());
        publish(alert);
    }

    public void log(Log log) {
        count("bulwark.logs", "logs, by type and operation", "type", log.type(), "operation", log.operation());
        publish(log);
    }

    /** A counter per name and pair of tag values, looked up once: this runs for every kernel event. */
    private void count(String name, String description, String key1, String value1, String key2, String value2) {
        List<String> id = List.of(name, value1 == null ? "" : value1, value2 == null ? "" : value2);
        counters.computeIfAbsent(id, k -> Counter.builder(name).description(description)
                .tags(key1, k.get(1), key2, k.get(2)).register(metrics)).increment();
    }

    /** One of the agent's own messages (see {@link AgentLog}). */
    void message(AgentLog.Message message) {
        publish(message);
    }

    /**
     * Runs the consumer on its own thread for every Alert, Log and agent Message from now on, until the returned
     * handle is closed. A consumer that throws is logged and keeps its subscription.
     */
    public Subscription subscribe(Consumer<Object> consumer) {
        Subscription subscription = subscribers.subscribe("consumer", record -> true);
        Thread.ofVirtual().name("telemetry-" + subscription.name()).start(() -> {
            while (!subscription.isClosed()) {
                try {
                    Object record = subscription.poll(100, TimeUnit.MILLISECONDS);
                    if (record != null) {
                        consumer.accept(record);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("a telemetry subscriber failed", e);
                }
            }
        });
        return subscription;
    }

    /** Queues the record for each sink and reader; the caller (a kernel reader) never formats or sends. */
    private void publish(Object record) {
        json.offer(record);
        subscribers.publish(record);
    }
}
