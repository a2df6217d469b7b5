package dev.bulwark.telemetry;

import dev.bulwark.api.feeder.LogServiceGrpc;
import dev.bulwark.api.feeder.RequestMessage;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Alerts per second from the telemetry pipeline through feeder.LogService/WatchAlerts to 1 and to 10 gRPC
 * clients on loopback: each operation publishes one alert, and an invocation ends when every client has
 * received every alert of it (no drops: the queues hold a whole batch). The clients count the messages as they
 * arrive without decoding them (decoding is each client's own cost, on its own machine), so what grows with the
 * clients is the agent's work per client: queueing, encoding, framing, sending.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GrpcAlertsBenchmark {
    static final int BATCH = 10_000;

    @Param({"1", "10"})
    int clients;

    Subscribers subscribers;
    Server server;
    final List<ManagedChannel> channels = new ArrayList<>();
    final List<AtomicLong> received = new ArrayList<>();
    final Alert alert = FeederServiceTest.alert("bench");
    long published;

    @Setup(Level.Trial)
    public void start() throws Exception {
        subscribers = new Subscribers(2 * BATCH, new SimpleMeterRegistry());
        FeederService service = new FeederService();
        service.subscribers = subscribers;
        server = NettyServerBuilder.forPort(0).addService(service).build().start();
        for (int i = 0; i < clients; i++) {
            ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext()
                    .build();
            CountingObserver<RequestMessage, byte[]> counter = new CountingObserver<>(0);
            MethodDescriptor<RequestMessage, ?> watch = LogServiceGrpc.getWatchAlertsMethod();
            // The server's marshaller of encoded bytes, used here to take each message's bytes undecoded.
            MethodDescriptor<RequestMessage, byte[]> raw =
                    watch.toBuilder(watch.getRequestMarshaller(), FeederService.ENCODED).build();
            ClientCalls.asyncServerStreamingCall(channel.newCall(raw, CallOptions.DEFAULT),
                    RequestMessage.newBuilder().setFilter("all").build(), counter);
            channels.add(channel);
            received.add(counter.received);
        }
        // Every stream subscribed: a warm-up alert reached every client.
        while (received.stream().anyMatch(c -> c.get() == 0)) {
            subscribers.publish(alert);
            Thread.sleep(10);
        }
        published = received.stream().mapToLong(AtomicLong::get).max().orElse(0);
        for (AtomicLong count : received) {
            count.set(published);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void alertsToEveryClient() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            subscribers.publish(alert);
        }
        published += BATCH;
        for (AtomicLong count : received) {
            while (count.get() < published) {
                Thread.onSpinWait();
            }
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        channels.forEach(ManagedChannel::shutdownNow);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
