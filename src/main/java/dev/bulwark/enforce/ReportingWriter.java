package dev.bulwark.enforce;

import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The writer used when BPF-LSM cannot be used (audit-only mode, as KubeArmor calls it): it reports what would
 * be enforced, so operators see the outcome of their policies. (PolicyEngine keeps each endpoint's rule set.)
 */
public class ReportingWriter implements RuleSetWriter {
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.enforce");
    private final String reason;

    public ReportingWriter(String reason) {
        this.reason = reason;
    }

    @Override
    public void apply(RuleSet ruleSet) {
        String modes = ruleSet.modes().entrySet().stream()
                .filter(mode -> mode.getValue().whitelist())
                .map(mode -> mode.getKey() + "=whitelist/" + mode.getValue().posture())
                .collect(Collectors.joining(", "));
        LOG.info("Rule set for " + ruleSet.endpoint().describe() + ": " + ruleSet.rules().size() + " rules, "
                + ruleSet.entries().size() + " kernel entries" + (modes.isEmpty() ? "" : ", " + modes)
                + " (audit only: " + reason + ")");
    }

    @Override
    public void remove(Endpoint endpoint) {
        // nothing was put anywhere
    }

    @Override
    public String describe() {
        return "audit only (" + reason + ")";
    }
}
