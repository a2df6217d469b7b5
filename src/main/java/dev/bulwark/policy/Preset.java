package dev.bulwark.policy;

import java.util.Arrays;
import java.util.Optional;

/**
 * KubeArmor's presets (`spec.presets[].name`), the one list of them: in the kernel's order (the ordinal is
 * bulwark.h's BW_PRESET_*, pinned by KernelLayoutTest), each with the name upstream's alerts give its enforcer
 * ("PRESET-" + it).
 */
@SuppressWarnings("java:S115") // constants carry the policy's own names
public enum Preset {
    filelessExec("FilelessExecutionPreset"),
    anonymousMapExec("AnonMapExecutionPreset"),
    protectEnv("ProtectEnvPreset"),
    protectProc("ProtectProcPreset"),
    exec("ExecPreset");

    /** The CRD's pattern for a preset's name (an annotation needs a constant; PresetTest checks it is the list). */
    public static final String PATTERN = "^(filelessExec|anonymousMapExec|protectEnv|protectProc|exec)$";

    private final String enforcer;

    Preset(String enforcer) {
        this.enforcer = enforcer;
    }

    /** Upstream's name of the preset in alerts. */
    public String enforcer() {
        return enforcer;
    }

    public static Optional<Preset> named(String name) {
        return Arrays.stream(values()).filter(p -> p.name().equals(name)).findFirst();
    }
}
