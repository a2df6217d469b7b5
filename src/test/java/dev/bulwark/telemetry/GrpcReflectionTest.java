package dev.bulwark.telemetry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC reflection, as grpcurl and other tools use it, describes KubeArmor's services: the LogService keeps its
 * proto's descriptor although its Watch methods are bound with a marshaller of pre-encoded bytes.
 */
@QuarkusTest
class GrpcReflectionTest {
    static ServerReflectionResponse ask(ServerReflectionRequest request) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", FeederServiceTest.PORT).usePlaintext()
                .build();
        try {
            CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                    .serverReflectionInfo(new StreamObserver<>() {
                        @Override
                        public void onNext(ServerReflectionResponse response) {
                            answer.complete(response);
                        }

                        @Override
                        public void onError(Throwable t) {
                            answer.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            requests.onNext(request);
            ServerReflectionResponse response = answer.get(30, TimeUnit.SECONDS);
            requests.onCompleted();
            return response;
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theLogServiceIsListedAndDescribed() throws Exception {
        List<String> services = ask(ServerReflectionRequest.newBuilder().setListServices("").build())
                .getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList();
        assertTrue(services.contains("feeder.LogService"), services.toString());
        assertTrue(services.contains("policy.PolicyService"), services.toString());

        ServerReflectionResponse described = ask(ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("feeder.LogService").build());
        assertFalse(described.hasErrorResponse(), described.getErrorResponse().getErrorMessage());
        FileDescriptorProto file = FileDescriptorProto.parseFrom(
                described.getFileDescriptorResponse().getFileDescriptorProto(0));
        assertTrue(file.getServiceList().stream().anyMatch(s -> s.getName().equals("LogService")
                && s.getMethodList().stream().anyMatch(m -> m.getName().equals("WatchAlerts"))), file.toString());
    }
}
