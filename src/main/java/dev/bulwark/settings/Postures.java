package dev.bulwark.settings;

import dev.bulwark.policy.Posture;

/** Default postures of the endpoint (global config, or namespace annotations in Kubernetes). */
public record Postures(Posture file, Posture network, Posture capabilities) {
    public static final Postures AUDIT = new Postures(Posture.audit, Posture.audit, Posture.audit);
}
