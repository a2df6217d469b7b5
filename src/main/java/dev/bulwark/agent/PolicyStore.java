package dev.bulwark.agent;

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
 * The policies in force, grouped by where they came from (a file, the gRPC service, the API server). A source
 * is replaced as a whole, so a bad edit of one file never disturbs the others. Each change fires
 * {@link PoliciesChanged}.
 */
@Singleton
public class PolicyStore {
    private final Map<String, List<Policy>> bySource = new LinkedHashMap<>();

    @Inject
    Event<PoliciesChanged> changes;

    /**
     * The policies of a source changed. Observers that put rules in force (the policy engine) add to notInForce
     * what they could not put in force, so that the source can say so instead of "applied".
     */
    public record PoliciesChanged(String source, List<String> notInForce) {
    }

    /**
     * What became of a change: refused, changing nothing (conflict: a name another source defines), or stored,
     * with what of it is not in force in the kernel (empty: in force when replace returned).
     */
    public record Outcome(Optional<String> conflict, List<String> notInForce) {
        public boolean inForce() {
            return conflict.isEmpty() && notInForce.isEmpty();
        }
    }

    /**
     * Makes these the policies of the source, and returns once their rules are in force (or why they are not).
     * Refused, changing nothing, when another source already defines a policy of the same kind and name: which
     * one should win would be a guess.
     */
    public Outcome replace(String source, List<Policy> policies) {
        synchronized (this) {
            for (Policy policy : policies) {
                Optional<String> owner = ownerOf(policy.kind(), policy.qualifiedName(), source);
                if (owner.isPresent()) {
                    return new Outcome(Optional.of(policy.kind() + " " + policy.qualifiedName()
                            + " is already defined by " + owner.get()), List.of());
                }
            }
            bySource.put(source, List.copyOf(policies));
        }
        PoliciesChanged change = new PoliciesChanged(source, new ArrayList<>());
        changes.fire(change);
        return new Outcome(Optional.empty(), List.copyOf(change.notInForce()));
    }

    public void remove(String source) {
        boolean removed;
        synchronized (this) {
            removed = bySource.remove(source) != null;
        }
        if (removed) {
            changes.fire(new PoliciesChanged(source, new ArrayList<>()));
        }
    }

    public synchronized List<Policy> all() {
        List<Policy> all = new ArrayList<>();
        bySource.values().forEach(all::addAll);
        return all;
    }

    public synchronized List<String> sources() {
        return List.copyOf(bySource.keySet());
    }

    private Optional<String> ownerOf(PolicyKind kind, String qualifiedName, String except) {
        return bySource.entrySet().stream()
                .filter(e -> !e.getKey().equals(except))
                .filter(e -> e.getValue().stream()
                        .anyMatch(p -> p.kind() == kind && p.qualifiedName().equals(qualifiedName)))
                .map(Map.Entry::getKey)
                .findFirst();
    }
}
