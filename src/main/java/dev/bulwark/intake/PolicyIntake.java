package dev.bulwark.intake;

import dev.bulwark.config.AgentMode;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.intake.PolicySource.GrpcRequest;
import dev.bulwark.intake.PolicySource.PolicyFile;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyError;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.PolicyReader;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The one way in for policies, whatever their source: the policy directory, `policy.PolicyService` and the
 * API server's reconcilers submit a source's document here, and report the {@link Outcome} in their own
 * protocol (a log line, a gRPC status, an object's status). Reading and validating, replacing the source in the
 * store, refusing conflicts, keeping gRPC policies across restarts and "is this kind enabled?" happen here once.
 * Every refusal changes nothing; its errors are logged here, each naming its field and rule.
 */
@Singleton
public class PolicyIntake {
    private static final Logger LOG = Logger.getLogger("bulwark.intake");

    /** What became of a submission. */
    public sealed interface Outcome {
    }

    /** In force as submitted; `replaced` when the source held policies before. */
    public record Applied(List<Policy> policies, boolean replaced) implements Outcome {
    }

    /** Refused, nothing changed: the document's errors. `lastGoodStays` when the source keeps its previous policies. */
    public record Invalid(List<PolicyError> errors, boolean lastGoodStays) implements Outcome {
    }

    /** Refused, nothing changed: another source defines a policy of the same kind and name. */
    public record Conflict(String reason, boolean lastGoodStays) implements Outcome {
    }

    /** Stored, but not (wholly) in force in the kernel, and why. */
    public record NotInForce(List<String> reasons) implements Outcome {
    }

    private final PolicyStore store;
    private final KeptPolicies kept;
    private final BulwarkConfig config;
    private final AgentMode mode;

    @Inject
    public PolicyIntake(PolicyStore store, KeptPolicies kept, BulwarkConfig config, AgentMode mode) {
        this.store = store;
        this.kept = kept;
        this.config = config;
        this.mode = mode;
    }

    /** A policy file, read now. */
    public Outcome submit(PolicyFile file) {
        return submit(file, PolicyReader.read(file.path()), null);
    }

    /** A source's whole document (YAML or JSON, one or more policies); errors name the source. */
    public Outcome submit(PolicySource source, String document) {
        return submit(source, PolicyReader.read(document, source.describe()), document);
    }

    /** The source's policies leave the store (and a gRPC policy its kept copy); false when it held none. */
    public boolean withdraw(PolicySource source) {
        boolean held = store.remove(source);
        if (held && source instanceof GrpcRequest request) {
            kept.forget(request);
        }
        return held;
    }

    public boolean holds(PolicySource source) {
        return store.holds(source);
    }

    public List<PolicySource> sources() {
        return store.held();
    }

    /** Whether policies of this kind are applied (enableKubeArmorPolicy, enableKubeArmorHostPolicy). */
    public boolean enabled(PolicyKind kind) {
        return kind == PolicyKind.KubeArmorHostPolicy
                ? mode.standalone() || config.enableKubeArmorHostPolicy()
                : config.enableKubeArmorPolicy();
    }

    /** The policies applied through gRPC before the last stop, back in force. */
    public void restore() {
        for (KeptPolicies.Kept copy : kept.all()) {
            PolicyReader.Result read = PolicyReader.read(copy.file());
            if (!read.valid() || read.policies().size() != 1) {
                read.errors().stream().map(PolicyError::toString).forEach(LOG::error);
                continue;
            }
            Policy policy = read.policies().getFirst();
            Outcome outcome = submit(new GrpcRequest(policy.kind(), policy.qualifiedName()), read, null);
            switch (outcome) {
                case Applied applied -> LOG.info("Restored " + policy.kind() + " " + policy.qualifiedName()
                        + " from " + copy.file());
                case Conflict conflict -> LOG.error(copy.file() + ": " + conflict.reason());
                case NotInForce not -> LOG.error(copy.file() + ": not in force: " + String.join("; ", not.reasons()));
                case Invalid invalid -> {
                    // its errors are logged
                }
            }
        }
    }

    private Outcome submit(PolicySource source, PolicyReader.Result read, String document) {
        boolean held = store.holds(source);
        if (!read.valid()) {
            read.errors().stream().map(PolicyError::toString).forEach(LOG::error);
            return new Invalid(read.errors(), held);
        }
        PolicyStore.Outcome stored = store.replace(source, read.policies());
        if (stored.conflict().isPresent()) {
            return new Conflict(stored.conflict().get(), held);
        }
        if (document != null && source instanceof GrpcRequest request) {
            kept.keep(request, document);
        }
        if (!stored.notInForce().isEmpty()) {
            return new NotInForce(stored.notInForce());
        }
        return new Applied(read.policies(), held);
    }
}
