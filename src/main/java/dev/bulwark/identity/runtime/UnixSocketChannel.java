package dev.bulwark.identity.runtime;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.util.concurrent.TimeUnit;

/** A plaintext gRPC channel to a runtime's unix socket, on its own one-thread epoll loop. */
final class UnixSocketChannel implements AutoCloseable {
    final EpollEventLoopGroup loop = new EpollEventLoopGroup(1);
    final ManagedChannel channel;

    UnixSocketChannel(String socket) {
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket)).eventLoopGroup(loop)
                .channelType(EpollDomainSocketChannel.class).overrideAuthority("localhost").usePlaintext().build();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
