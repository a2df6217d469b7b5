package dev.bulwark.k8s;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.intake.PolicyIntake.Applied;
import dev.bulwark.intake.PolicyIntake.Conflict;
import dev.bulwark.intake.PolicyIntake.Invalid;
import dev.bulwark.intake.PolicyIntake.NotInForce;
import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.intake.PolicySource.ApiObject;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.PolicySpec;
import dev.bulwark.policy.PolicyStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Policies from the API server: each object of one kind is its own policy source in the store, replaced when
 * the object is created or changes (deletions: {@link PolicyDeletions}). The object goes through the same
 * intake as a policy file; an invalid version changes nothing and says why in its status.
 */
abstract class PolicyReconciler<R extends CustomResource<? extends PolicySpec, PolicyStatus>> implements Reconciler<R> {
    @Inject
    PolicyIntake intake;
    @Inject
    BulwarkConfig config;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.k8s");

    private final PolicyKind kind;
    private String hostName;

    PolicyReconciler(PolicyKind kind) {
        this.kind = kind;
    }

    @PostConstruct
    void init() {
        hostName = config.hostName();
    }

    @Override
    public UpdateControl<R> reconcile(R resource, Context<R> context) {
        if (resource.getMetadata().getDeletionTimestamp() != null) {
            return UpdateControl.noUpdate(); // on its way out: PolicyDeletions removes it
        }
        String qualified = qualifiedName(kind, resource);
        PolicyStatus status = apply(resource, qualified);
        if (Objects.equals(status, resource.getStatus())) {
            return UpdateControl.noUpdate();
        }
        resource.setStatus(status);
        return UpdateControl.patchStatus(resource);
    }

    static String qualifiedName(PolicyKind kind, HasMetadata resource) {
        String name = resource.getMetadata().getName();
        return kind.namespaced() ? resource.getMetadata().getNamespace() + "/" + name : name;
    }

    private PolicyStatus apply(R resource, String qualified) {
        ApiObject source = new ApiObject(kind, qualified);
        return switch (intake.submit(source, Serialization.asJson(resource))) {
            case Invalid invalid -> {
                LOG.warn(kind + " " + qualified + " rejected; " + (invalid.lastGoodStays()
                        ? "its last good version stays in force" : "it is not applied"));
                yield new PolicyStatus("Invalid", invalid.errors().stream()
                        .map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
            }
            case Conflict conflict -> {
                LOG.error(kind + " " + qualified + ": " + conflict.reason());
                yield new PolicyStatus("Invalid", conflict.reason());
            }
            case NotInForce not -> {
                String why = String.join("; ", not.reasons());
                LOG.error(kind + " " + qualified + " is not in force: " + why);
                yield new PolicyStatus("Failure", why);
            }
            case Applied applied -> {
                LOG.info("Applied " + kind + " " + qualified + " (API server)");
                yield intake.enabled(kind)
                        ? new PolicyStatus("OK", "applied on node " + hostName)
                        : new PolicyStatus("NotEnabled", kind + " is not enabled on node " + hostName);
            }
        };
    }
}
