package dev.bulwark.intake;

import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyKind;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policies in force, grouped by where they came from ({@link PolicySource}). A source is replaced as a
 * whole. Each change fires {@link PoliciesChanged}. Policies reach it through {@link PolicyIntake}.
 */
@Singleton
public class PolicyStore {
    private final Map<PolicySource, List<Policy>> bySource = new LinkedHashMap<>();

    @Inject
    Event<PoliciesChanged> changes;

    /**
     * The policies of a source changed. Observers that put rules in force (the policy engine) add to notInForce
     * what they could not put in force, so that the source can say so instead of "applied".
     */
    public record PoliciesChanged(PolicySource source, List<String> notInForce) {
    }

    /**
     * What became of a change: refused, changing nothing (conflict: a name another source defines), or stored,
     * with what of it is not in force in the kernel (empty: in force when replace returned).
     */
    record Outcome(Optional<String> conflict, List<String> notInForce) {
        public boolean inForce() {
            return conflict.isEmpty() && notInForce.isEmpty();
        }
    }

    /**
     * Makes these the policies of the source, and returns once their rules are in force (or why they are not).
     * Refused, changing nothing, when another source already defines a policy of the same kind and name: which
     * one should win would be a guess.
     */
    Outcome replace(PolicySource source, List<Policy> policies) {
        synchronized (this) {
            for (Policy policy : policies) {
                Optional<PolicySource> owner = ownerOf(policy.kind(), policy.qualifiedName(), source);
                if (owner.isPresent()) {
                    return new Outcome(Optional.of(policy.kind() + " " + policy.qualifiedName()
                            + " is already defined by " + owner.get().describe()), List.of());
                }
            }
            bySource.put(source, List.copyOf(policies));
        }
        PoliciesChanged change = new PoliciesChanged(source, new ArrayList<>());
        changes.fire(change);
        return new Outcome(Optional.empty(), List.copyOf(change.notInForce()));
    }

    /** Removes the source's policies; false when it held none (adapters withdraw through the intake). */
    public boolean remove(PolicySource source) {
        boolean removed;
        synchronized (this) {
            removed = bySource.remove(source) != null;
        }
        if (removed) {
            changes.fire(new PoliciesChanged(source, new ArrayList<>()));
        }
        return removed;
    }

    public synchronized List<Policy> all() {
        List<Policy> all = new ArrayList<>();
        bySource.values().forEach(all::addAll);
        return all;
    }

    /** The sources' ids (see {@link PolicySource#id()}). */
    public synchronized List<String> sources() {
        return bySource.keySet().stream().map(PolicySource::id).toList();
    }

    /** The sources that hold policies now. */
    public synchronized List<PolicySource> held() {
        return List.copyOf(bySource.keySet());
    }

    public synchronized boolean holds(PolicySource source) {
        return bySource.containsKey(source);
    }

    private Optional<PolicySource> ownerOf(PolicyKind kind, String qualifiedName, PolicySource except) {
        return bySource.entrySet().stream()
                .filter(e -> !e.getKey().equals(except))
                .filter(e -> e.getValue().stream()
                        .anyMatch(p -> p.kind() == kind && p.qualifiedName().equals(qualifiedName)))
                .map(Map.Entry::getKey)
                .findFirst();
    }
}
