package dev.bulwark.settings;

import dev.bulwark.policy.Posture;

/**
 * Alert throttling per endpoint and budget: at most maxAlertsPerSec alerts a second, then none for throttleSec.
 */
public record Throttle(int maxAlertsPerSec, int throttleSec) {
    /**
     * Each endpoint has two budgets, so that noise cannot hide what a policy's rule matched: alerts of rules, and
     * the posture's (ordinals as the kernel's BW_BUDGET_*).
     */
    public enum Budget {
        POLICY, POSTURE;

        /** The budget of an alert of this policy (POSTURE for the default posture's). */
        public static Budget of(String policyName) {
            return Posture.ALERT_POLICY.equals(policyName) ? POSTURE : POLICY;
        }

        /** How an announcement names the alerts it pauses. */
        public String alerts() {
            return this == POLICY ? "policy" : "posture";
        }
    }

    /** No throttling. */
    public static final Throttle OFF = new Throttle(0, 0);
}
