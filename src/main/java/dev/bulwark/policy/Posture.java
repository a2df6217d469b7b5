package dev.bulwark.policy;

/** What happens to an operation no Allow rule covers, in a class that has Allow rules (whitelist mode). */
public enum Posture {
    audit, block;

    /** The policy name of the posture's alerts (and of fail-closed denials): KubeArmor's. */
    public static final String ALERT_POLICY = "DefaultPosture";
}
