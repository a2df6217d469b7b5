package dev.bulwark.enforce;

import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.settings.Throttle;

/** Puts rule sets where they take effect. The kernel enforcer implements this; until then, a reporter does. */
public interface RuleSetWriter {
    /** Replace whatever the endpoint had with this rule set. */
    void apply(RuleSet ruleSet);

    /** The endpoint is gone: drop its rules. */
    void remove(Endpoint endpoint);

    /** Whether the kernel decides (BPF-LSM): then its denials and audits are the alerts, not the monitor's. */
    default boolean enforces() {
        return false;
    }

    /** How many alerts an endpoint may raise from now on (never affects decisions). */
    default void throttle(Throttle throttle) {
    }

    /** Decisions whose alert found the kernel's ring buffer full (counted there, never silently lost). */
    default long lostEvents() {
        return 0;
    }

    /** The alerts its throttle held back, by policy (null: it raises none itself). */
    default SuppressedAlerts suppressed() {
        return null;
    }

    /** How long the last decision waited in the kernel's ring buffer before it was read, in ns. */
    default long ringLagNanos() {
        return 0;
    }

    /** The kernel programs' run time and count (bpf_stats), by program name; empty without programs. */
    default java.util.Map<String, dev.bulwark.bpf.Bpf.ProgramStats> programStats() {
        return java.util.Map.of();
    }

    /** Human-readable name of where rules go, for logs and readiness. */
    String describe();
}
