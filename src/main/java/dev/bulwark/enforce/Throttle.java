package dev.bulwark.enforce;

/** Alert throttling per endpoint: at most maxAlertsPerSec alerts a second, then none for throttleSec. */
public record Throttle(int maxAlertsPerSec, int throttleSec) {
    /** No throttling. */
    public static final Throttle OFF = new Throttle(0, 0);
}
