package dev.bulwark.agent;

import dev.bulwark.compile.PolicySelection;
import dev.bulwark.compile.RuleCompiler;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.compile.RuleSetChanged;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.enforce.RuleSetWriter;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.intake.PolicyStore;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.LiveSettings;
import dev.bulwark.settings.Postures;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps every endpoint's rule set in step with the policies and endpoints: on any change it recompiles and
 * hands the writer only the rule sets that differ from what it already has.
 */
@Singleton
public class PolicyEngine {
    @Inject
    BulwarkConfig config;
    @Inject
    EndpointRegistry endpoints;
    @Inject
    PolicyStore store;
    @Inject
    PolicyIntake intake;
    @Inject
    RuleSetWriter writer;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.agent");
    @Inject
    Event<RuleSetChanged> ruleSetChanges;
    @Inject
    LiveSettings settings;

    private final Map<Endpoint, RuleSet> applied = new HashMap<>();
    /** selfProtection's file rules for the host, where the kernel enforces (null: off, or nothing enforces). */
    private Policy selfProtection;
    private boolean selfProtectionChecked;
    private EndpointFileSystems fileSystems;

    /** Where policy paths are resolved for each endpoint (its file system through procfs). */
    private synchronized EndpointFileSystems fileSystems() {
        if (fileSystems == null) {
            fileSystems = new EndpointFileSystems(config.procfsPath());
        }
        return fileSystems;
    }

    void onPolicies(@Observes PolicyStore.PoliciesChanged change) {
        change.notInForce().addAll(refresh());
    }

    void onEndpoint(
            @Observes @Priority(EndpointRegistry.EndpointChanged.RULES) EndpointRegistry.EndpointChanged change) {
        if (change.removed()) {
            synchronized (this) {
                applied.remove(change.endpoint());
                fileSystems().forget(change.endpoint().identity());
            }
            writer.remove(change.endpoint());
            ruleSetChanges.fire(new RuleSetChanged(change.endpoint(), null));
        } else {
            refresh();
        }
    }

    /**
     * Recompiles every endpoint; the writer sees only what changed. When this returns, the rules are in the
     * kernel, except for the endpoints it names, whose previous rules stay in force.
     */
    public synchronized List<String> refresh() {
        if (!selfProtectionChecked) {
            selfProtectionChecked = true;
            selfProtection = config.selfProtection() && writer.enforces() ? SelfProtectionPolicy.of(config) : null;
            LOG.info("selfProtection is " + (selfProtection != null ? "on: read-only for all but the agent: "
                    + String.join(", ", SelfProtectionPolicy.directories(config)) : config.selfProtection()
                    ? "off: nothing enforces here" : "off (bulwark.selfProtection=false)"));
        }
        List<String> notInForce = new java.util.ArrayList<>();
        List<Policy> enabled = store.all().stream().filter(p -> enabled(p.kind())).toList();
        List<Endpoint> current = endpoints.all();
        // A container replaced by another with the same (reused) namespaces: its identity's rules are rewritten below.
        applied.keySet().retainAll(current);
        for (Endpoint endpoint : current) {
            List<Policy> policies = applicable(enabled, endpoint);
            if (endpoint.isHost() && selfProtection != null) {
                policies = java.util.stream.Stream.concat(policies.stream(), java.util.stream.Stream.of(selfProtection))
                        .toList();
            }
            try {
                RuleSet ruleSet = RuleCompiler.compile(endpoint, policies,
                        new RuleCompiler.Options(postures(endpoint), settings.defaults().matchArgs(),
                                fileSystems().resolver(endpoint), config.maxGlobStates()));
                if (!ruleSet.equals(applied.get(endpoint))) {
                    writer.apply(ruleSet);
                    // What the policies ask and no enforcer does (AppArmor profiles, device rules...), whichever
                    // enforcer runs; the enforcer reports what its kernel cannot do on top.
                    ruleSet.notEnforced().forEach(note -> LOG.warn(endpoint.describe() + ": " + note));
                    applied.put(endpoint, ruleSet);
                    ruleSetChanges.fire(new RuleSetChanged(endpoint, ruleSet));
                }
            } catch (RuntimeException e) {
                String failure = "rules for " + endpoint.describe() + " could not be applied, the previous"
                        + " ones stay in force: " + e.getMessage();
                LOG.error(Character.toUpperCase(failure.charAt(0)) + failure.substring(1));
                notInForce.add(failure);
            }
        }
        return notInForce;
    }

    public String hostName() {
        return endpoints.host().hostName();
    }

    /** Rule entries compiled for all endpoints now. */
    public synchronized int ruleEntries() {
        return applied.values().stream().mapToInt(set -> set.entries().size()).sum();
    }

    public synchronized RuleSet ruleSet(Endpoint endpoint) {
        return applied.get(endpoint);
    }

    /** The enabled policies that select this endpoint. */
    public List<Policy> policiesFor(Endpoint endpoint) {
        return applicable(store.all().stream().filter(p -> enabled(p.kind())).toList(), endpoint);
    }

    /** Whether policies of this kind are applied (enableKubeArmorPolicy, enableKubeArmorHostPolicy). */
    public boolean enabled(PolicyKind kind) {
        return intake.enabled(kind);
    }

    /**
     * What applies to an endpoint: nothing in an untracked namespace or for a pod with policies disabled, every
     * Block made Audit for an audited pod, else the policies that select it.
     */
    private List<Policy> applicable(List<Policy> enabled, Endpoint endpoint) {
        if (settings.untracked(endpoint) || endpoint.policy() == Endpoint.PolicyMode.disabled) {
            return List.of();
        }
        List<Policy> selected = PolicySelection.applicable(enabled, endpoint);
        return endpoint.policy() == Endpoint.PolicyMode.audited ? selected.stream().map(Policy::audited).toList()
                : selected;
    }

    private Postures postures(Endpoint endpoint) {
        return endpoint.policy() == Endpoint.PolicyMode.audited
                ? new Postures(Posture.audit, Posture.audit, Posture.audit)
                : settings.postures(endpoint);
    }

    /** Postures or throttling changed: the kernel's throttle and every endpoint's rules follow. */
    void onSettings(@Observes @Priority(LiveSettings.Changed.RULES) LiveSettings.Changed change) {
        writer.throttle(settings.defaults().throttle());
        refresh();
    }
}
