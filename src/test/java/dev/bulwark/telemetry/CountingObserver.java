package dev.bulwark.telemetry;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.atomic.AtomicLong;

/** A gRPC client stream reader that only counts what it receives; with a limit, it asks for no more than that. */
final class CountingObserver<Q, T> implements ClientResponseObserver<Q, T> {
    final AtomicLong received = new AtomicLong();
    private final int limit;

    /** @param limit messages it will ever ask for, or 0 for as many as come (gRPC's automatic flow control) */
    CountingObserver(int limit) {
        this.limit = limit;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<Q> call) {
        if (limit > 0) {
            call.disableAutoRequestWithInitial(limit);
        }
    }

    @Override
    public void onNext(T value) {
        received.incrementAndGet();
    }

    @Override
    public void onError(Throwable t) {
    }

    @Override
    public void onCompleted() {
    }
}
