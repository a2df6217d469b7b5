package dev.bulwark.enforce;

import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.telemetry.AgentLog;
import java.util.stream.Collectors;

/**
 * The writer used when BPF-LSM cannot be used (audit-only mode, as KubeArmor calls it): it reports what would
 * be enforced, so operators see the outcome of their policies. (PolicyEngine keeps each endpoint's rule set.)
 */
public class ReportingWriter implements RuleSetWriter {
    private final AgentLog log;
    private final String reason;

    public ReportingWriter(AgentLog log, String reason) {
        this.log = log;
        this.reason = reason;
    }

    @Override
    public void apply(RuleSet ruleSet) {
        String modes = ruleSet.modes().entrySet().stream()
                .filter(mode -> mode.getValue().whitelist())
                .map(mode -> mode.getKey() + "=whitelist/" + mode.getValue().posture())
                .collect(Collectors.joining(", "));
        log.info("Rule set for " + ruleSet.endpoint().describe() + ": " + ruleSet.rules().size() + " rules, "
                + ruleSet.entries().size() + " kernel entries" + (modes.isEmpty() ? "" : ", " + modes)
                + " (audit only: " + reason + ")");
        ruleSet.notEnforced().forEach(note -> log.warn(note));
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
