package dev.bulwark.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.api.policy.PolicyServiceGrpc;
import dev.bulwark.api.policy.PolicyStatus;
import dev.bulwark.api.policy.response;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.intake.PolicyIntake.Applied;
import dev.bulwark.intake.PolicyIntake.Conflict;
import dev.bulwark.intake.PolicyIntake.Invalid;
import dev.bulwark.intake.PolicyIntake.NotInForce;
import dev.bulwark.intake.PolicyIntake;
import dev.bulwark.intake.PolicySource.GrpcRequest;
import dev.bulwark.policy.KubeArmor;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.PolicyReader;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * KubeArmor's `policy.PolicyService` for hosts without Kubernetes (`karmor vm policy add`). Each request holds
 * `{"type": "ADDED|MODIFIED|DELETED", "object": {metadata, spec}}`; the rpc says the kind. A policy applied
 * here is its own policy source ({@link GrpcRequest}), kept under `policyStorePath` by the intake and restored
 * at start.
 */
@GrpcService
public class PolicyApi extends PolicyServiceGrpc.PolicyServiceImplBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    PolicyIntake intake;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.agent");

    @Override
    @Blocking
    public void containerPolicy(dev.bulwark.api.policy.policy request, StreamObserver<response> reply) {
        answer(reply, handle(PolicyKind.KubeArmorPolicy, request.getPolicy().toStringUtf8()));
    }

    @Override
    @Blocking
    public void hostPolicy(dev.bulwark.api.policy.policy request, StreamObserver<response> reply) {
        answer(reply, handle(PolicyKind.KubeArmorHostPolicy, request.getPolicy().toStringUtf8()));
    }

    /** KubeArmor's network policies (KubeArmorNetworkPolicy) are not part of Bulwark. */
    @Override
    public void networkPolicy(dev.bulwark.api.policy.policy request, StreamObserver<response> reply) {
        LOG.warn("policy.PolicyService/networkPolicy: network policies are not enabled in Bulwark");
        answer(reply, PolicyStatus.NotEnabled);
    }

    PolicyStatus handle(PolicyKind kind, String request) {
        String rpc = "policy.PolicyService/" + (kind == PolicyKind.KubeArmorPolicy ? "containerPolicy" : "hostPolicy");
        if (!intake.enabled(kind)) {
            LOG.warn(rpc + ": " + kind + " is not enabled on this node");
            return PolicyStatus.NotEnabled;
        }
        JsonNode event;
        try {
            event = JSON.readTree(request);
        } catch (IOException e) {
            LOG.error(rpc + ": policy: is not JSON: " + e.getMessage());
            return PolicyStatus.Invalid;
        }
        String type = event.path("type").asText("");
        JsonNode object = event.path("object");
        if (!List.of("ADDED", "MODIFIED", "DELETED").contains(type)) {
            LOG.error(rpc + ": type: must be ADDED, MODIFIED or DELETED, not '" + type + "'");
            return PolicyStatus.Invalid;
        }
        if (!object.isObject()) {
            LOG.error(rpc + ": object: is required, with metadata and spec");
            return PolicyStatus.Invalid;
        }
        ObjectNode document = ((ObjectNode) object.deepCopy());
        if (!document.path("kind").asText(kind.name()).equals(kind.name())) {
            LOG.error(rpc + ": object.kind: must be " + kind.name() + ", not " + document.path("kind").asText());
            return PolicyStatus.Invalid;
        }
        document.put("apiVersion", KubeArmor.API_VERSION).put("kind", kind.name());
        if (kind.namespaced() && document.path("metadata").path("namespace").asText("").isEmpty()
                && document.path("metadata").isObject()) {
            // As upstream: a container policy sent without a namespace is for the containers no pod owns.
            ((ObjectNode) document.get("metadata")).put("namespace", Endpoint.STANDALONE_NAMESPACE);
        }
        GrpcRequest source = new GrpcRequest(kind, qualifiedName(kind, document));
        if ("DELETED".equals(type)) {
            if (!intake.withdraw(source)) {
                LOG.warn(rpc + ": DELETED " + kind + " " + source.qualifiedName()
                        + ": no such policy was applied through gRPC");
                return PolicyStatus.NotExist;
            }
            LOG.info("Deleted " + kind + " " + source.qualifiedName() + " from " + rpc);
            return PolicyStatus.Deleted;
        }
        return switch (intake.submit(source, document.toString())) {
            case Applied applied -> {
                LOG.info((applied.replaced() ? "Updated " : "Applied ") + kind + " " + source.qualifiedName()
                        + " from " + rpc);
                yield applied.replaced() ? PolicyStatus.Modified : PolicyStatus.Applied;
            }
            case Invalid invalid -> {
                LOG.warn(rpc + ": policy rejected, nothing changed");
                yield PolicyStatus.Invalid;
            }
            case Conflict conflict -> {
                LOG.error(rpc + ": " + conflict.reason() + "; nothing changed");
                yield PolicyStatus.Failure;
            }
            case NotInForce not -> {
                LOG.error(rpc + ": " + kind + " " + source.qualifiedName() + " is not in force: "
                        + String.join("; ", not.reasons()));
                yield PolicyStatus.Failure;
            }
        };
    }

    /** The policy's name as the store knows it: namespace/name for KubeArmorPolicy (PolicyReader's default). */
    private static String qualifiedName(PolicyKind kind, JsonNode document) {
        String name = document.path("metadata").path("name").asText("");
        return kind.namespaced()
                ? document.path("metadata").path("namespace").asText(PolicyReader.DEFAULT_NAMESPACE) + "/" + name
                : name;
    }

    private static void answer(StreamObserver<response> reply, PolicyStatus status) {
        reply.onNext(response.newBuilder().setStatus(status).build());
        reply.onCompleted();
    }
}
