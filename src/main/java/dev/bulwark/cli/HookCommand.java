package dev.bulwark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.identity.ContainerRegistration.OciState;
import dev.bulwark.identity.ContainerRegistration.Request;
import dev.bulwark.identity.ContainerRegistration.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * An OCI runtime hook: reads the container state from stdin (as runtimes pass it), registers or removes the
 * container with the agent, and succeeds only once the agent has its rules in place.
 */
@Command(name = "hook", description = "OCI runtime hook: register (create) or remove (delete) a container.")
final class HookCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(index = "0", paramLabel = "create|delete")
    String op;

    @Option(names = "--socket", defaultValue = "/run/bulwark/register.sock", description = "The agent's socket.")
    Path socket;

    @Option(names = "--annotation", paramLabel = "k=v", description = "Add to the state's annotations.")
    Map<String, String> extra = new HashMap<>();

    @Override
    public Integer call() throws IOException {
        OciState state = JSON.readValue(System.in, OciState.class);
        Map<String, String> annotations = new HashMap<>(state.annotations() == null ? Map.of() : state.annotations());
        annotations.putAll(extra);
        state = new OciState(state.ociVersion(), state.id(), state.status(), state.pid(), state.bundle(), annotations);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(channel);
            out.write(JSON.writeValueAsBytes(new Request(op, state)));
            channel.shutdownOutput();
            Response response = JSON.readValue(Channels.newInputStream(channel), Response.class);
            System.out.println(response.status() + ": " + response.message());
            return "ok".equals(response.status()) ? 0 : 1;
        } catch (IOException e) {
            System.err.println("bulwark hook: cannot reach the agent at " + socket + ": " + e.getMessage());
            return 1;
        }
    }
}
