package dev.bulwark.k8s;

import dev.bulwark.agent.PolicyEngine;
import dev.bulwark.agent.PolicyStore;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyError;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.PolicyReader;
import dev.bulwark.policy.PolicySpec;
import dev.bulwark.policy.PolicyStatus;
import dev.bulwark.telemetry.AgentLog;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Policies from the API server: each object of one kind is its own policy source in the store, replaced when
 * the object is created or changes (deletions: {@link PolicyDeletions}). The object is validated exactly as a
 * policy file is; an invalid version changes nothing and says why in its status.
 */
abstract class PolicyReconciler<R extends CustomResource<? extends PolicySpec, PolicyStatus>> implements Reconciler<R> {
    static final String SOURCE_PREFIX = "k8s:";

    @Inject
    PolicyStore store;
    @Inject
    PolicyEngine engine;
    @Inject
    AgentLog log;

    private final PolicyKind kind;

    PolicyReconciler(PolicyKind kind) {
        this.kind = kind;
    }

    @Override
    public UpdateControl<R> reconcile(R resource, Context<R> context) {
        if (resource.getMetadata().getDeletionTimestamp() != null) {
            return UpdateControl.noUpdate(); // on its way out: PolicyDeletions removes it
        }
        String qualified = qualifiedName(kind, resource);
        PolicyStatus status = apply(resource, qualified, source(kind, qualified));
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

    /** The store source of one object: each is replaced and removed on its own. */
    static String source(PolicyKind kind, String qualifiedName) {
        return SOURCE_PREFIX + kind.name() + "/" + qualifiedName;
    }

    private PolicyStatus apply(R resource, String qualified, String source) {
        PolicyReader.Result result = PolicyReader.read(Serialization.asJson(resource), kind + " " + qualified);
        if (!result.valid()) {
            result.errors().stream().map(PolicyError::toString).forEach(log::error);
            log.warn(kind + " " + qualified + " rejected; " + (store.sources().contains(source)
                    ? "its last good version stays in force" : "it is not applied"));
            return new PolicyStatus("Invalid", result.errors().stream()
                    .map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")));
        }
        List<Policy> policies = result.policies();
        PolicyStore.Outcome outcome = store.replace(source, policies);
        if (outcome.conflict().isPresent()) {
            log.error(kind + " " + qualified + ": " + outcome.conflict().get());
            return new PolicyStatus("Invalid", outcome.conflict().get());
        }
        if (!outcome.notInForce().isEmpty()) {
            String why = String.join("; ", outcome.notInForce());
            log.error(kind + " " + qualified + " is not in force: " + why);
            return new PolicyStatus("Failure", why);
        }
        log.info("Applied " + kind + " " + qualified + " (API server)");
        return engine.enabled(kind)
                ? new PolicyStatus("OK", "applied on node " + engine.hostName())
                : new PolicyStatus("NotEnabled", kind + " is not enabled on node " + engine.hostName());
    }
}
