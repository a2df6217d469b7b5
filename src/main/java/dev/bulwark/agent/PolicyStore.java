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

    public record PoliciesChanged(String source) {
    }

    /**
     * Makes these the policies of the source. Fails, changing nothing, when another source already defines a
     * policy of the same kind and name: which one should win would be a guess.
     */
    public Optional<String> replace(String source, List<Policy> policies) {
        synchronized (this) {
            for (Policy policy : policies) {
                Optional<String> owner = ownerOf(policy.kind(), policy.qualifiedName(), source);
                if (owner.isPresent()) {
                    return Optional.of(policy.kind() + " " + policy.qualifiedName() + " is already defined by "
                            + owner.get());
                }
            }
            bySource.put(source, List.copyOf(policies));
        }
        changes.fire(new PoliciesChanged(source));
        return Optional.empty();
    }

    public void remove(String source) {
        boolean removed;
        synchronized (this) {
            removed = bySource.remove(source) != null;
        }
        if (removed) {
            changes.fire(new PoliciesChanged(source));
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
