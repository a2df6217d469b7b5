package dev.bulwark.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Where every alert and log goes: counted in metrics, written by the JSON sink (`logPath`), and handed to the
 * subscribers (gRPC streams and in-process consumers), each through its own bounded queue.
 */
@Singleton
public class Telemetry {
    private static final Logger LOG = Logger.getLogger(Telemetry.class);

    @Inject
    AgentLog json;
    @Inject
    Subscribers subscribers;
    @Inject
    MeterRegistry metrics;

    public void alert(Alert alert) {
        Counter.builder("bulwark.alerts").description("alerts, by policy and action")
                .tags("policy", alert.policyName() == null ? "" : alert.policyName(),
                        "action", alert.action() == null ? "" : alert.action())
                .register(metrics).increment();
        publish(alert);
    }

    public void log(Log log) {
        Counter.builder("bulwark.logs").description("logs, by type and operation")
                .tags("type", log.type(), "operation", log.operation() == null ? "" : log.operation())
                .register(metrics).increment();
        publish(log);
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

    private void publish(Object record) {
        json.record(record);
        subscribers.publish(record);
    }
}
