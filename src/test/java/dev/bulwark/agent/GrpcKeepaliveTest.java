package dev.bulwark.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import dev.bulwark.api.policy.ProbeServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.quarkus.test.junit.QuarkusTest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The gRPC server's keepalive, seen on the wire through a relay between a client and the agent: on an idle
 * connection the server pings (every 10 s: grpc-java's floor); when the client stops answering (its side frozen: a
 * peer gone without a FIN), the server closes the connection after its 5 s timeout instead of holding it forever.
 */
@QuarkusTest
class GrpcKeepaliveTest {
    @Test
    void theServerPingsAnIdleConnectionAndClosesOneThatStopsAnswering() throws Exception {
        AtomicLong fromServer = new AtomicLong();
        AtomicBoolean frozen = new AtomicBoolean();
        CountDownLatch serverClosed = new CountDownLatch(1);
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket client = relay.accept(); Socket server = new Socket("localhost", 32787)) {
                    Thread.ofVirtual().start(() -> copy(client, server, frozen, null));
                    copy(server, client, new AtomicBoolean(), fromServer);
                } catch (Exception e) {
                    // the test ends
                } finally {
                    serverClosed.countDown();
                }
            });
            ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", relay.getLocalPort()).usePlaintext()
                    .build();
            try {
                ProbeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .getProbeData(Empty.getDefaultInstance());
                Thread.sleep(500);
                long before = fromServer.get();
                Thread.sleep(12_000);
                long pinged = fromServer.get() - before;
                // A PING frame is 17 bytes: 12 s of silence from both sides bring one (grpc-java's 10 s floor).
                assertTrue(pinged >= 17, "the server sent " + pinged + " bytes on an idle connection");
                frozen.set(true);
                assertTrue(serverClosed.await(25, TimeUnit.SECONDS),
                        "the server closed the connection whose peer stopped answering its pings");
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Copies bytes from one socket to the other; while frozen, what comes is swallowed (no PING ACK gets through). */
    private static void copy(Socket from, Socket to, AtomicBoolean frozen, AtomicLong counted) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (counted != null) {
                    counted.addAndGet(n);
                }
                if (!frozen.get()) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (Exception e) {
            // closed
        }
    }
}
