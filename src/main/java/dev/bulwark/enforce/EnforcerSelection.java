package dev.bulwark.enforce;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.settings.LiveSettings;
import dev.bulwark.settings.Throttle;
import dev.bulwark.telemetry.Telemetry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Chooses where rule sets go, once, at start: the BPF-LSM enforcer when `lsm` asks for bpf and the kernel has
 * BPF-LSM active and lets the programs load; otherwise audit-only mode, said once with the reason.
 */
public class EnforcerSelection {
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.enforce");
    static final Path ACTIVE_LSMS = Path.of("/sys/kernel/security/lsm");

    @Produces
    @Singleton
    RuleSetWriter writer(BulwarkConfig config, Telemetry telemetry) {
        String reason = unavailable(config);
        if (reason == null) {
            Path pinDir = Path.of(config.bpfFsPath(), "bulwark");
            try {
                return enforcer(config, telemetry, pinDir);
            } catch (RuntimeException | LinkageError pinned) {
                LOG.warn("Enforcing without pinning under " + pinDir + " (" + pinned.getMessage() + "): rules"
                        + " will not outlive the agent");
                try {
                    return enforcer(config, telemetry, null);
                } catch (RuntimeException | LinkageError e) {
                    reason = "the BPF-LSM programs could not be loaded: " + e.getMessage();
                }
            }
        }
        LOG.warn("BPF-LSM enforcement is not available: " + reason + ". Running in audit-only mode:"
                + " rules are compiled and reported, nothing is denied.");
        return new ReportingWriter(reason);
    }

    private static BpfEnforcer enforcer(BulwarkConfig config, Telemetry telemetry, Path pinDir) {
        Throttle throttle = LiveSettings.configured(config).throttle();
        return new BpfEnforcer(pinDir, new BpfEnforcer.Limits(config.maxEndpoints(), config.maxRulesPerEndpoint()),
                throttle, config.selfProtection(), config.cluster(), config.hostName(),
                telemetry::alert, (ruleSet, notes) -> notes.forEach(LOG::warn));
    }

    void close(@Disposes RuleSetWriter writer) {
        if (writer instanceof BpfEnforcer enforcer) {
            enforcer.close();
        }
    }

    /** Why BPF-LSM cannot be used here, or null when it can be tried. */
    static String unavailable(BulwarkConfig config) {
        if (!config.lsm().contains("bpf")) {
            return "bulwark.lsm (" + String.join(",", config.lsm()) + ") does not include bpf";
        }
        try {
            String active = Files.readString(ACTIVE_LSMS).strip();
            if (!active.contains("bpf")) {
                return "the kernel's active LSMs are " + active + " (boot with lsm=...,bpf)";
            }
        } catch (IOException e) {
            return ACTIVE_LSMS + " cannot be read (securityfs not mounted?)";
        }
        return null;
    }
}
