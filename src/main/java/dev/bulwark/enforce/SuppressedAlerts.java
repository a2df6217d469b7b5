package dev.bulwark.enforce;

import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Posture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The alerts a throttle held back, by policy: totals for the metrics, and per endpoint what was held back while
 * it was silent, for the AlertThreshold event that says so when its alerts resume. Enforcement never depends on it.
 */
public final class SuppressedAlerts {
    /** What a policy's suppressed alerts are counted under when no rule matched (posture, fail closed). */
    public static final String POSTURE = Posture.ALERT_POLICY;

    private final Map<String, LongAdder> byPolicy = new ConcurrentHashMap<>();
    private final Map<KernelIdentity, Silence> silences = new ConcurrentHashMap<>();
    private final List<Consumer<String>> newPolicyListeners = new CopyOnWriteArrayList<>();
    /** Silences announced and not ended yet: ended() is asked at every monitor event, and mostly there are none. */
    private final java.util.concurrent.atomic.AtomicInteger announced = new java.util.concurrent.atomic.AtomicInteger();

    /** One endpoint's time of silence: until when, and what it held back meanwhile. */
    private static final class Silence {
        final Endpoint endpoint;
        long untilNanos;
        final Map<String, Long> held = new TreeMap<>();

        Silence(Endpoint endpoint) {
            this.endpoint = endpoint;
        }
    }

    /** What an endpoint held back while silent, once it speaks again: policy name to alerts. */
    public record Summary(Endpoint endpoint, Map<String, Long> byPolicy) {
        public long total() {
            return byPolicy.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Told the name of each policy the first time one of its alerts is held back (metrics register it). */
    public void onNewPolicy(Consumer<String> listener) {
        newPolicyListeners.add(listener);
        byPolicy.keySet().forEach(listener);
    }

    /** Alerts held back so far for this policy. */
    public long total(String policy) {
        LongAdder count = byPolicy.get(policy);
        return count == null ? 0 : count.sum();
    }

    /** The endpoint went silent until then (an AlertThreshold event announced it). */
    public void silenced(Endpoint endpoint, long untilNanos) {
        Silence silence = silences.computeIfAbsent(endpoint.identity(), identity -> new Silence(endpoint));
        synchronized (silence) {
            if (silence.untilNanos == 0) {
                announced.incrementAndGet();
            }
            silence.untilNanos = Math.max(silence.untilNanos, untilNanos);
        }
    }

    /** Counts alerts of this policy (POSTURE for none) the endpoint's throttle held back. */
    public void count(Endpoint endpoint, String policy, long alerts) {
        if (alerts <= 0) {
            return;
        }
        LongAdder total = byPolicy.get(policy);
        if (total == null) {
            LongAdder fresh = new LongAdder();
            total = byPolicy.putIfAbsent(policy, fresh);
            if (total == null) {
                total = fresh;
                newPolicyListeners.forEach(listener -> listener.accept(policy));
            }
        }
        total.add(alerts);
        Silence silence = silences.computeIfAbsent(endpoint.identity(), identity -> new Silence(endpoint));
        synchronized (silence) {
            silence.held.merge(policy, alerts, Long::sum);
        }
    }

    /**
     * The endpoints whose announced silence has ended and that held alerts back, each once; what they held is
     * cleared.
     */
    public List<Summary> ended(long nowNanos) {
        if (announced.get() == 0) {
            return List.of();
        }
        List<Summary> ended = new ArrayList<>();
        for (Silence silence : silences.values()) {
            synchronized (silence) {
                // Counts may be read before the announcement is: only an announced silence ends.
                if (silence.untilNanos == 0 || silence.untilNanos - nowNanos > 0) {
                    continue;
                }
                if (!silence.held.isEmpty()) {
                    ended.add(new Summary(silence.endpoint, Map.copyOf(silence.held)));
                    silence.held.clear();
                }
                silence.untilNanos = 0;
                announced.decrementAndGet();
            }
        }
        return ended;
    }

    /** The endpoint is gone: its silence goes (a later endpoint may reuse its namespace inodes). */
    public void forget(KernelIdentity identity) {
        Silence gone = silences.remove(identity);
        if (gone != null) {
            synchronized (gone) {
                if (gone.untilNanos != 0) {
                    announced.decrementAndGet();
                }
            }
        }
    }
}
