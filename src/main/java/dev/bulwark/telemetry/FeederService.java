package dev.bulwark.telemetry;

import com.google.protobuf.MessageLite;
import dev.bulwark.api.feeder.LogServiceGrpc;
import dev.bulwark.api.feeder.RequestMessage;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * KubeArmor's `feeder.LogService`: agent messages, alerts and logs streamed to each client through its own
 * bounded queue, sent only as fast as the client reads (gRPC flow control), so a stuck client loses its own
 * records and nobody else's. Each stream sends on its own (virtual) thread, never on the publisher's, and sends
 * the record's protobuf bytes, encoded once for all streams ({@link Published}): the three Watch methods are
 * bound with a response marshaller that writes those bytes as they are (the wire is the same).
 */
@GrpcService
public class FeederService extends LogServiceGrpc.LogServiceImplBase {
    /** Responses already encoded: written to the stream as they are. */
    static final MethodDescriptor.Marshaller<byte[]> ENCODED = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new Encoded(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final ExecutorService SENDERS = Executors.newVirtualThreadPerTaskExecutor();

    @Inject
    Subscribers subscribers;

    @Override
    public ServerServiceDefinition bindService() {
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : super.bindService().getMethods()) {
            String name = method.getMethodDescriptor().getFullMethodName();
            if (name.equals(LogServiceGrpc.getWatchMessagesMethod().getFullMethodName())) {
                // Any filter: there is one kind of agent message.
                methods.add(watch(LogServiceGrpc.getWatchMessagesMethod(), "WatchMessages", null,
                        AgentLog.Message.class, FeederRecords::message));
            } else if (name.equals(LogServiceGrpc.getWatchAlertsMethod().getFullMethodName())) {
                // Filter `all` or `policy`: every alert (KubeArmor sends the same to both).
                methods.add(watch(LogServiceGrpc.getWatchAlertsMethod(), "WatchAlerts", Set.of("all", "policy"),
                        Alert.class, FeederRecords::alert));
            } else if (name.equals(LogServiceGrpc.getWatchLogsMethod().getFullMethodName())) {
                // Filter `all` or `system`: every container and host log.
                methods.add(watch(LogServiceGrpc.getWatchLogsMethod(), "WatchLogs", Set.of("all", "system"),
                        Log.class, FeederRecords::log));
            } else {
                methods.add(method);
            }
        }
        // The proto's file descriptor stays with the service, so that gRPC reflection (grpcurl) still shows it.
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(LogServiceGrpc.SERVICE_NAME)
                .setSchemaDescriptor(LogServiceGrpc.getServiceDescriptor().getSchemaDescriptor());
        methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(service::addMethod);
        return service.build();
    }

    @Override
    public void healthCheck(dev.bulwark.api.feeder.NonceMessage request,
            StreamObserver<dev.bulwark.api.feeder.ReplyMessage> response) {
        response.onNext(dev.bulwark.api.feeder.ReplyMessage.newBuilder().setRetval(request.getNonce()).build());
        response.onCompleted();
    }

    private <R> ServerMethodDefinition<RequestMessage, byte[]> watch(MethodDescriptor<RequestMessage, ?> method,
            String rpc, Set<String> filters, Class<R> type, Function<R, ? extends MessageLite> convert) {
        Function<Object, MessageLite> toProtobuf = record -> convert.apply(type.cast(record));
        return ServerMethodDefinition.create(method.toBuilder(method.getRequestMarshaller(), ENCODED).build(),
                ServerCalls.asyncServerStreamingCall((request, response) ->
                        stream(rpc, request, filters, type, toProtobuf, response)));
    }

    private void stream(String rpc, RequestMessage request, Set<String> filters, Class<?> type,
            Function<Object, MessageLite> toProtobuf, StreamObserver<byte[]> response) {
        if (filters != null && !filters.contains(request.getFilter())) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("Filter: must be one of "
                    + String.join(", ", filters.stream().sorted().toList()) + ", not '" + request.getFilter() + "'")
                    .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<byte[]> call = (ServerCallStreamObserver<byte[]>) response;
        Subscription subscription = subscribers.subscribe(rpc, type::isInstance);
        AtomicInteger pending = new AtomicInteger();
        // One sender at a time, on its own thread; it stops when the client is not ready and is scheduled again
        // by the ready handler or by the next record. Asked while it runs, it runs once more before it stops.
        Runnable send = () -> {
            int missed = 1;
            do {
                try {
                    while (!subscription.isClosed() && call.isReady()) {
                        Published next = subscription.next();
                        if (next == null) {
                            break;
                        }
                        call.onNext(next.encoded(toProtobuf));
                    }
                } catch (RuntimeException e) {
                    subscription.close(); // the call went away under us
                }
                missed = pending.addAndGet(-missed);
            } while (missed != 0);
        };
        Runnable schedule = () -> {
            if (pending.getAndIncrement() == 0) {
                SENDERS.execute(send);
            }
        };
        call.setOnCancelHandler(subscription::close);
        call.setOnCloseHandler(subscription::close);
        call.setOnReadyHandler(schedule);
        subscription.onRecords(schedule);
    }

    /** Encoded bytes as gRPC's framer wants them: their length known, drained in one write. */
    private static final class Encoded extends ByteArrayInputStream implements KnownLength, Drainable {
        Encoded(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }
}
