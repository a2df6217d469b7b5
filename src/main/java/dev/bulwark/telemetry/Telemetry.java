package dev.bulwark.telemetry;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Where every alert and log goes: the JSON sink (`logPath`) and whoever subscribed. A subscriber that throws
 * is logged and skipped; it never stops the others or the caller (a kernel event reader).
 */
@Singleton
public class Telemetry {
    private static final Logger LOG = Logger.getLogger(Telemetry.class);

    @Inject
    AgentLog json;

    private final List<Consumer<Object>> subscribers = new CopyOnWriteArrayList<>();

    public void alert(Alert alert) {
        publish(alert);
    }

    public void log(Log log) {
        publish(log);
    }

    /** Receives every Alert and Log from now on, until the returned handle is closed. */
    public AutoCloseable subscribe(Consumer<Object> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    private void publish(Object record) {
        json.record(record);
        for (Consumer<Object> subscriber : subscribers) {
            try {
                subscriber.accept(record);
            } catch (RuntimeException e) {
                LOG.warn("a telemetry subscriber failed", e);
            }
        }
    }
}
