package dev.bulwark.enforce;

import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.telemetry.AgentLog;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The writer used while no kernel enforcer is available: it reports what would be enforced and keeps the
 * current rule set of each endpoint, so that operators (and tests) can see the outcome of their policies.
 */
@DefaultBean
@ApplicationScoped
public class ReportingWriter implements RuleSetWriter {
    private final Map<Endpoint, RuleSet> current = new ConcurrentHashMap<>();

    @Inject
    AgentLog log;

    @Override
    public void apply(RuleSet ruleSet) {
        current.put(ruleSet.endpoint(), ruleSet);
        String modes = ruleSet.modes().entrySet().stream()
                .filter(mode -> mode.getValue().whitelist())
                .map(mode -> mode.getKey() + "=whitelist/" + mode.getValue().posture())
                .collect(Collectors.joining(", "));
        log.info("Rule set for " + describe(ruleSet.endpoint()) + ": " + ruleSet.rules().size() + " rules, "
                + ruleSet.entries().size() + " kernel entries" + (modes.isEmpty() ? "" : ", " + modes)
                + " (not enforced: no BPF-LSM enforcer in this build)");
        ruleSet.notEnforced().forEach(note -> log.warn(note));
    }

    @Override
    public void remove(Endpoint endpoint) {
        current.remove(endpoint);
    }

    @Override
    public String describe() {
        return "report only";
    }

    public RuleSet current(Endpoint endpoint) {
        return current.get(endpoint);
    }

    static String describe(Endpoint endpoint) {
        return endpoint.isHost() ? "host " + endpoint.hostName()
                : "container " + endpoint.namespace() + "/" + endpoint.pod() + "/" + endpoint.container();
    }
}
