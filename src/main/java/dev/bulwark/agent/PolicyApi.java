package dev.bulwark.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.api.policy.PolicyServiceGrpc;
import dev.bulwark.api.policy.PolicyStatus;
import dev.bulwark.api.policy.response;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.policy.KubeArmor;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyError;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.policy.PolicyReader;
import dev.bulwark.telemetry.AgentLog;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * KubeArmor's `policy.PolicyService` for hosts without Kubernetes (`karmor vm policy add`). Each request holds
 * `{"type": "ADDED|MODIFIED|DELETED", "object": {metadata, spec}}`; the rpc says the kind. A policy applied
 * here is its own policy source, kept as a file under `policyStorePath` and restored at start.
 */
@GrpcService
public class PolicyApi extends PolicyServiceGrpc.PolicyServiceImplBase {
    static final String SOURCE_PREFIX = "grpc:";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    BulwarkConfig config;
    @Inject
    PolicyStore store;
    @Inject
    PolicyEngine engine;
    @Inject
    AgentLog log;

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
        log.warn("policy.PolicyService/networkPolicy: network policies are not enabled in Bulwark");
        answer(reply, PolicyStatus.NotEnabled);
    }

    /** Restores the policies applied through this service before the last stop. */
    void restore() {
        Path dir = config.policyStorePath();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                PolicyReader.Result result = PolicyReader.read(file);
                if (result.valid() && result.policies().size() == 1) {
                    Policy policy = result.policies().getFirst();
                    PolicyStore.Outcome outcome =
                            store.replace(source(policy.kind(), policy.qualifiedName()), result.policies());
                    if (outcome.inForce()) {
                        log.info("Restored " + policy.kind() + " " + policy.qualifiedName() + " from " + file);
                    } else {
                        log.error(file + ": " + outcome.conflict().orElse("not in force: "
                                + String.join("; ", outcome.notInForce())));
                    }
                } else {
                    result.errors().stream().map(PolicyError::toString).forEach(log::error);
                }
            }
        } catch (IOException e) {
            log.error("Cannot restore policies from " + dir + " (bulwark.policyStorePath): " + e.getMessage());
        }
    }

    PolicyStatus handle(PolicyKind kind, String request) {
        String rpc = "policy.PolicyService/" + (kind == PolicyKind.KubeArmorPolicy ? "containerPolicy" : "hostPolicy");
        if (!engine.enabled(kind)) {
            log.warn(rpc + ": " + kind + " is not enabled on this node");
            return PolicyStatus.NotEnabled;
        }
        JsonNode event;
        try {
            event = JSON.readTree(request);
        } catch (IOException e) {
            log.error(rpc + ": policy: is not JSON: " + e.getMessage());
            return PolicyStatus.Invalid;
        }
        String type = event.path("type").asText("");
        JsonNode object = event.path("object");
        if (!List.of("ADDED", "MODIFIED", "DELETED").contains(type)) {
            log.error(rpc + ": type: must be ADDED, MODIFIED or DELETED, not '" + type + "'");
            return PolicyStatus.Invalid;
        }
        if (!object.isObject()) {
            log.error(rpc + ": object: is required, with metadata and spec");
            return PolicyStatus.Invalid;
        }
        ObjectNode document = ((ObjectNode) object.deepCopy());
        if (!document.path("kind").asText(kind.name()).equals(kind.name())) {
            log.error(rpc + ": object.kind: must be " + kind.name() + ", not " + document.path("kind").asText());
            return PolicyStatus.Invalid;
        }
        document.put("apiVersion", KubeArmor.API_VERSION).put("kind", kind.name());
        if ("DELETED".equals(type)) {
            return delete(rpc, kind, document);
        }
        PolicyReader.Result result = PolicyReader.read(document.toString(), rpc);
        if (!result.valid()) {
            result.errors().stream().map(PolicyError::toString).forEach(log::error);
            log.warn(rpc + ": policy rejected, nothing changed");
            return PolicyStatus.Invalid;
        }
        Policy policy = result.policies().getFirst();
        String source = source(kind, policy.qualifiedName());
        boolean existed = store.sources().contains(source);
        PolicyStore.Outcome outcome = store.replace(source, result.policies());
        if (outcome.conflict().isPresent()) {
            log.error(rpc + ": " + outcome.conflict().get() + "; nothing changed");
            return PolicyStatus.Failure;
        }
        if (!outcome.notInForce().isEmpty()) {
            log.error(rpc + ": " + kind + " " + policy.qualifiedName() + " is not in force: "
                    + String.join("; ", outcome.notInForce()));
            return PolicyStatus.Failure;
        }
        try {
            persist(kind, policy.qualifiedName(), document);
        } catch (IOException e) {
            log.error(rpc + ": " + kind + " " + policy.qualifiedName() + " applied but not kept in "
                    + config.policyStorePath() + " (bulwark.policyStorePath): " + e.getMessage()
                    + "; it will not survive a restart");
        }
        log.info((existed ? "Updated " : "Applied ") + kind + " " + policy.qualifiedName() + " from " + rpc);
        return existed ? PolicyStatus.Modified : PolicyStatus.Applied;
    }

    private PolicyStatus delete(String rpc, PolicyKind kind, JsonNode document) {
        String name = document.path("metadata").path("name").asText("");
        String qualified = kind.namespaced()
                ? document.path("metadata").path("namespace").asText(PolicyReader.DEFAULT_NAMESPACE) + "/" + name
                : name;
        String source = source(kind, qualified);
        if (!store.sources().contains(source)) {
            log.warn(rpc + ": DELETED " + kind + " " + qualified + ": no such policy was applied through gRPC");
            return PolicyStatus.NotExist;
        }
        store.remove(source);
        try {
            Files.deleteIfExists(file(kind, qualified));
        } catch (IOException e) {
            log.error(rpc + ": " + kind + " " + qualified + " removed, but its copy in " + config.policyStorePath()
                    + " could not be deleted and will come back at restart: " + e.getMessage());
        }
        log.info("Deleted " + kind + " " + qualified + " from " + rpc);
        return PolicyStatus.Deleted;
    }

    private void persist(PolicyKind kind, String qualifiedName, JsonNode document) throws IOException {
        Files.createDirectories(config.policyStorePath());
        Path file = file(kind, qualifiedName);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, document.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path file(PolicyKind kind, String qualifiedName) {
        return config.policyStorePath().resolve(kind.name() + "." + qualifiedName.replace('/', '.') + ".json");
    }

    private static String source(PolicyKind kind, String qualifiedName) {
        return SOURCE_PREFIX + kind.name() + "/" + qualifiedName;
    }

    private static void answer(StreamObserver<response> reply, PolicyStatus status) {
        reply.onNext(response.newBuilder().setStatus(status).build());
        reply.onCompleted();
    }
}
