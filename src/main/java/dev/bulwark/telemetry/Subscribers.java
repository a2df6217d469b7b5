package dev.bulwark.telemetry;

import dev.bulwark.config.BulwarkConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The readers of alerts, logs and agent messages, each with its own bounded queue ({@link Subscription}).
 * Publishing never blocks: a full queue drops the record for that reader, counted in
 * `bulwark_dropped_total{reason="subscriber_queue_full"}` and per reader while it is connected.
 */
@Singleton
public class Subscribers {
    /** Every record or event the agent could not deliver, tagged with the reason (one name for all). */
    public static final String DROPPED = "bulwark.dropped";

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final MeterRegistry metrics;
    private final Counter queueFull;
    private final int capacity;
    private final Gauge connected;

    @Inject
    public Subscribers(BulwarkConfig config, MeterRegistry metrics) {
        this(config.subscriberQueueSize(), metrics);
    }

    /** With this queue size per reader (benchmarks build the pipeline without the application). */
    public Subscribers(int capacity, MeterRegistry metrics) {
        this.metrics = metrics;
        this.capacity = capacity;
        this.queueFull = Counter.builder(DROPPED).description("records or events not delivered, by reason")
                .tag("reason", "subscriber_queue_full").register(metrics);
        this.connected = Gauge.builder("bulwark.telemetry.subscribers", subscriptions, List::size)
                .description("readers of alerts, logs and messages connected now").register(metrics);
    }

    /** A new reader of the records `wants` accepts; `kind` names it in metrics (e.g. "WatchAlerts"). */
    public Subscription subscribe(String kind, Predicate<Object> wants) {
        String name = kind + "-" + sequence.incrementAndGet();
        Subscription[] self = new Subscription[1];
        Gauge dropped = Gauge.builder("bulwark.telemetry.subscriber.dropped", () -> self[0].dropped())
                .description("records dropped for one connected reader, its queue being full")
                .tags("subscriber", name, "kind", kind).register(metrics);
        self[0] = new Subscription(name, capacity, wants, () -> {
            subscriptions.remove(self[0]);
            metrics.remove(dropped);
        });
        subscriptions.add(self[0]);
        return self[0];
    }

    /** The gauge reads this run's list: a registry that outlives it (tests restart the app) must drop it. */
    @PreDestroy
    void close() {
        metrics.remove(connected);
        subscriptions.forEach(Subscription::close);
    }

    /** Hands the record to every reader that wants it; never waits. Readers share one {@link Published}. */
    public void publish(Object record) {
        if (subscriptions.isEmpty()) {
            return;
        }
        Published published = new Published(record);
        for (Subscription subscription : subscriptions) {
            if (!subscription.offer(published)) {
                queueFull.increment();
            }
        }
    }
}
