package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.telemetry.Alert;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A protocol rule names what a socket is on the wire, whatever it was asked for as, and holds for sockets that
 * were open before it came: MPTCP and SMC sockets are TCP, UDP-Lite is UDP, an inet sequenced-packet socket is
 * SCTP, and a socket made before a Block is denied its next send and receive.
 */
class WireProtocolEnforcementTest extends KernelScenarios {
    static final Path DIR = NetworkAndCapabilityEnforcementTest.DIR;

    /**
     * Opens a UDP pair and a TCP pair, prints "ready", waits for a line, then sends and receives once on each:
     * "udp send ok", "udp recv EACCES"...
     */
    static final String HELD = """
            import errno, socket, sys
            def attempt(label, action):
                try:
                    action()
                    print(label, 'ok', flush=True)
                except BlockingIOError:
                    print(label, 'ok', flush=True)  # nothing to read, but the kernel let it try
                except OSError as e:
                    print(label, errno.errorcode.get(e.errno, str(e.errno)), flush=True)
            udp_a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp_a.bind(('127.0.0.1', 0))
            udp_b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp_b.bind(('127.0.0.1', 0))
            listener = socket.socket(); listener.bind(('127.0.0.1', 0)); listener.listen(1)
            tcp_a = socket.create_connection(listener.getsockname()); tcp_b, _ = listener.accept()
            udp_b.setblocking(False)
            print('ready', flush=True)
            sys.stdin.readline()
            attempt('udp send', lambda: udp_a.sendto(b'x', udp_b.getsockname()))
            attempt('udp recv', lambda: udp_b.recv(16))
            attempt('tcp send', lambda: tcp_a.send(b'y'))
            attempt('tcp recv', lambda: tcp_b.recv(16))
            """;

    @BeforeAll
    void tools() throws IOException {
        Files.writeString(Path.of("/proc/sys/net/ipv4/ping_group_range"), "0 2147483647"); // ping sockets for all
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("sockets.py"), NetworkAndCapabilityEnforcementTest.SOCKETS);
        Files.writeString(DIR.resolve("held.py"), HELD);
    }

    @BeforeEach
    void clean() {
        reset();
    }

    static List<String> sockets(String... specs) throws IOException, InterruptedException {
        return NetworkAndCapabilityEnforcementTest.sockets(PYTHON, specs);
    }

    @Test
    void withoutRulesEveryOneOfTheseSocketsCanBeMade() throws Exception {
        // The legitimate side of the tests below, and proof that the guest kernel has each protocol.
        assertEquals(List.of("ok", "ok", "ok", "ok", "ok", "ok", "ok"), sockets("inet:stream:262", "inet6:stream:262",
                "smc:stream:0", "inet:dgram:136", "inet6:dgram:136", "inet:seqpacket:0", "inet:stream:132"));
    }

    /** A protocol Block takes every socket that is that protocol on the wire, and no other socket. */
    @ParameterizedTest(name = "{0} Block, {1}: {2}")
    @CsvSource({
        "tcp, inet:stream:262, EACCES", "tcp, inet6:stream:262, EACCES", // MPTCP
        "tcp, smc:stream:0, EACCES", "tcp, inet:stream:0, EACCES",
        "tcp, inet:dgram:0, ok", "tcp, unix:stream:0, ok", "tcp, inet:seqpacket:0, ok",
        "udp, inet:dgram:136, EACCES", "udp, inet6:dgram:136, EACCES", // UDP-Lite
        "udp, inet:dgram:0, EACCES", "udp, inet:stream:0, ok", "udp, inet:dgram:1, ok",
        "sctp, inet:seqpacket:0, EACCES", "sctp, inet6:seqpacket:0, EACCES", "sctp, inet:stream:132, EACCES",
        "sctp, inet:stream:0, ok", "sctp, unix:seqpacket:0, ok"})
    void aProtocolBlockTakesWhatIsThatProtocolOnTheWire(String protocol, String socket, String expected)
            throws Exception {
        host("{network: {matchProtocols: [{protocol: " + protocol + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of(expected), sockets(socket));
    }

    @Test
    void anMptcpSocketIsReportedAsTcp() throws Exception {
        host("{network: {matchProtocols: [{protocol: tcp" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES"), sockets("inet:stream:262"));
        Alert alert = alert(a -> a.data().equals("lsm=SOCKET_CREATE protocol=TCP type=SOCK_STREAM"));
        assertEquals("Block", alert.action());
    }

    @Test
    void aSocketOpenBeforeABlockIsDeniedItsNextSendAndReceiveWhileOthersGoOn() throws Exception {
        Process held = new ProcessBuilder(PYTHON, DIR.resolve("held.py").toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(held.getInputStream()));
                Writer in = new java.io.OutputStreamWriter(held.getOutputStream())) {
            assertEquals("ready", out.readLine());
            host("{network: {matchProtocols: [{protocol: udp" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
            in.write("go\n");
            in.flush();
            assertEquals(List.of("udp send EACCES", "udp recv EACCES", "tcp send ok", "tcp recv ok"),
                    List.of(out.readLine(), out.readLine(), out.readLine(), out.readLine()));
            Alert alert = alert(a -> a.data().equals("lsm=SOCKET_SENDMSG protocol=UDP type=SOCK_DGRAM"));
            assertEquals("Block", alert.action());
            alert(a -> a.data().equals("lsm=SOCKET_RECVMSG protocol=UDP type=SOCK_DGRAM"));
        } finally {
            held.destroyForcibly().waitFor();
        }
    }
}
