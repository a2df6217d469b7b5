package dev.bulwark.monitor;

import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.settings.Throttle;
import java.util.HashMap;
import java.util.Map;

/**
 * The user-space twin of the enforcer's kernel throttle, for the monitor's alerts: per endpoint and budget (a
 * policy's rules, the posture) at most maxAlertsPerSec a second; the first alert over the limit is replaced by
 * one announcement, and the budget's alerts are dropped for throttleSec. Logs are never throttled.
 */
final class AlertThrottle {
    enum Verdict { REPORT, ANNOUNCE, DROP }

    private static final long SECOND = 1_000_000_000L;

    private final Throttle throttle;
    private final Map<Key, Window> windows = new HashMap<>();

    private record Key(KernelIdentity endpoint, Throttle.Budget budget) {
    }

    private static final class Window {
        long start;
        int count;
        long silentUntil;
    }

    AlertThrottle(Throttle throttle) {
        this.throttle = throttle;
    }

    /** The limits it applies. */
    Throttle limits() {
        return throttle;
    }

    synchronized Verdict admit(KernelIdentity endpoint, Throttle.Budget budget, long nowNanos) {
        if (throttle.maxAlertsPerSec() <= 0) {
            return Verdict.REPORT;
        }
        Window window = windows.computeIfAbsent(new Key(endpoint, budget), e -> new Window());
        if (window.silentUntil - nowNanos > 0) {
            return Verdict.DROP;
        }
        if (window.count == 0 || nowNanos - window.start >= SECOND) {
            window.start = nowNanos;
            window.count = 0;
        }
        if (window.count++ < throttle.maxAlertsPerSec()) {
            return Verdict.REPORT;
        }
        window.silentUntil = nowNanos + throttle.throttleSec() * SECOND;
        return Verdict.ANNOUNCE;
    }

    /** The endpoint is gone: its window goes too. */
    synchronized void forget(KernelIdentity endpoint) {
        windows.keySet().removeIf(key -> key.endpoint().equals(endpoint));
    }
}
