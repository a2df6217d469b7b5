package dev.bulwark.telemetry;

import dev.bulwark.api.feeder.LogServiceGrpc;
import dev.bulwark.api.feeder.NonceMessage;
import dev.bulwark.api.feeder.ReplyMessage;
import dev.bulwark.api.feeder.RequestMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * KubeArmor's `feeder.LogService`: agent messages, alerts and logs streamed to each client through its own
 * bounded queue, sent only as fast as the client reads (gRPC flow control), so a stuck client loses its own
 * records and nobody else's.
 */
@GrpcService
public class FeederService extends LogServiceGrpc.LogServiceImplBase {
    @Inject
    Subscribers subscribers;

    @Override
    public void healthCheck(NonceMessage request, StreamObserver<ReplyMessage> response) {
        response.onNext(ReplyMessage.newBuilder().setRetval(request.getNonce()).build());
        response.onCompleted();
    }

    /** Any filter: there is one kind of agent message. */
    @Override
    public void watchMessages(RequestMessage request, StreamObserver<dev.bulwark.api.feeder.Message> response) {
        stream("WatchMessages", request, null, AgentLog.Message.class, FeederRecords::message, response);
    }

    /** Filter `all` or `policy`: every alert (KubeArmor sends the same to both). */
    @Override
    public void watchAlerts(RequestMessage request, StreamObserver<dev.bulwark.api.feeder.Alert> response) {
        stream("WatchAlerts", request, Set.of("all", "policy"), Alert.class, FeederRecords::alert, response);
    }

    /** Filter `all` or `system`: every container and host log. */
    @Override
    public void watchLogs(RequestMessage request, StreamObserver<dev.bulwark.api.feeder.Log> response) {
        stream("WatchLogs", request, Set.of("all", "system"), Log.class, FeederRecords::log, response);
    }

    private <R, M> void stream(String rpc, RequestMessage request, Set<String> filters, Class<R> type,
            Function<R, M> convert, StreamObserver<M> response) {
        if (filters != null && !filters.contains(request.getFilter())) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("Filter: must be one of "
                    + String.join(", ", filters.stream().sorted().toList()) + ", not '" + request.getFilter() + "'")
                    .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<M> call = (ServerCallStreamObserver<M>) response;
        Subscription subscription = subscribers.subscribe(rpc, type::isInstance);
        AtomicInteger pending = new AtomicInteger();
        // One sender at a time, whichever thread asks (the publisher after queueing, gRPC when the client has
        // room again); it stops when the client is not ready and resumes from the ready handler.
        Runnable drain = () -> {
            if (pending.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                try {
                    while (!subscription.isClosed() && call.isReady()) {
                        Object record = subscription.poll();
                        if (record == null) {
                            break;
                        }
                        call.onNext(convert.apply(type.cast(record)));
                    }
                } catch (RuntimeException e) {
                    subscription.close(); // the call went away under us; never the publisher's problem
                }
                missed = pending.addAndGet(-missed);
            } while (missed != 0);
        };
        call.setOnCancelHandler(subscription::close);
        call.setOnCloseHandler(subscription::close);
        call.setOnReadyHandler(drain);
        subscription.onRecords(drain);
    }
}
