package dev.bulwark.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import dev.bulwark.api.policy.ContainerData;
import dev.bulwark.api.policy.HostSecurityPolicies;
import dev.bulwark.api.policy.ProbeResponse;
import dev.bulwark.api.policy.ProbeServiceGrpc;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyKind;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KubeArmor's `policy.ProbeService` (`karmor probe`): the containers this node knows and, for each container
 * and for the host, the policies that select it, by name and as JSON.
 */
@GrpcService
public class ProbeApi extends ProbeServiceGrpc.ProbeServiceImplBase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EndpointRegistry endpoints;
    @Inject
    PolicyEngine engine;

    @Override
    public void getProbeData(Empty request, StreamObserver<ProbeResponse> reply) {
        ProbeResponse.Builder probe = ProbeResponse.newBuilder();
        for (Endpoint endpoint : endpoints.all()) {
            List<Policy> policies = engine.policiesFor(endpoint);
            if (endpoint.isHost()) {
                probe.putHostMap(endpoint.hostName(), HostSecurityPolicies.newBuilder()
                        .addAllPolicyList(policies.stream().map(Policy::name).toList())
                        .addAllPolicyDataList(policies.stream().map(ProbeApi::data).toList()).build());
            } else {
                String name = endpoint.namespace() + "/" + endpoint.pod() + "/" + endpoint.container();
                probe.addContainerList(name);
                probe.putContainerMap(name, ContainerData.newBuilder()
                        .addAllPolicyList(policies.stream().map(Policy::name).toList())
                        .setPolicyEnabled(engine.enabled(PolicyKind.KubeArmorPolicy) ? 1 : 0)
                        .addAllPolicyDataList(policies.stream().map(ProbeApi::data).toList()).build());
            }
        }
        reply.onNext(probe.build());
        reply.onCompleted();
    }

    /** A policy as the JSON `{"metadata": ..., "spec": ...}` KubeArmor puts in policyDataList. */
    private static dev.bulwark.api.policy.policy data(Policy policy) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", policy.name());
        if (policy.namespace() != null) {
            metadata.put("namespace", policy.namespace());
        }
        Map<String, Object> document = Map.of("apiVersion", dev.bulwark.policy.KubeArmor.API_VERSION,
                "kind", policy.kind().name(), "metadata", metadata, "spec", policy.spec());
        return dev.bulwark.api.policy.policy.newBuilder()
                .setPolicy(ByteString.copyFromUtf8(JSON.valueToTree(document).toString())).build();
    }
}
