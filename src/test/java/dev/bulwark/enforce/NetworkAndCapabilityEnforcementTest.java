package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Network (`matchProtocols`) and capability (`matchCapabilities`) rules in a real kernel: sockets are made by a
 * small Python program, once as /usr/bin/python3.11 and once as a copy of it elsewhere (another source for
 * fromSource), and by this JVM; capabilities are asked for by making raw sockets (CAP_NET_RAW).
 */
class NetworkAndCapabilityEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-net");
    static final String JAVA = ProcessHandle.current().info().command().orElseThrow();
    static final Postures NETWORK_BLOCK =
            new Postures(Posture.audit, Posture.block, Posture.audit);

    /** Makes each socket given as family:type:protocol and prints "ok" or the errno name, one line each. */
    static final String SOCKETS = """
            import errno, socket, sys
            families = {'inet': socket.AF_INET, 'inet6': socket.AF_INET6, 'unix': socket.AF_UNIX,
                        'packet': socket.AF_PACKET, 'smc': 43}
            types = {'stream': socket.SOCK_STREAM, 'dgram': socket.SOCK_DGRAM, 'raw': socket.SOCK_RAW,
                     'seqpacket': socket.SOCK_SEQPACKET}
            for spec in sys.argv[1:]:
                family, kind, protocol = spec.split(':')
                try:
                    socket.socket(families[family], types[kind], int(protocol)).close()
                    print('ok')
                except OSError as e:
                    print(errno.errorcode.get(e.errno, str(e.errno)))
            """;

    @BeforeAll
    void tools() throws IOException {
        // ICMP datagram sockets (what ping uses without privileges) for every group, as distributions set it
        Files.writeString(Path.of("/proc/sys/net/ipv4/ping_group_range"), "0 2147483647");
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve("sockets.py"), SOCKETS);
    }

    @BeforeEach
    void clean() {
        reset();
    }

    /** What `python` got for each socket: "ok", "EACCES", "EPERM"... */
    static List<String> sockets(String python, String... specs) throws IOException, InterruptedException {
        return python(python, DIR.resolve("sockets.py"), specs);
    }

    static Predicate<Alert> network(String resource) {
        return alert -> alert.operation().equals("Network") && alert.resource().equals(resource);
    }

    @Test
    void icmpBlockDeniesPingSocketsAndSaysWhichProtocol() throws Exception {
        host("{severity: 3, network: {matchProtocols: [{protocol: icmp" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES", "ok", "ok"), sockets(PYTHON, "inet:dgram:1", "inet:dgram:0", "inet:stream:0"));
        Alert alert = alert(network("protocol=ICMP type=SOCK_DGRAM"));
        assertEquals("lsm=SOCKET_CREATE protocol=ICMP type=SOCK_DGRAM", alert.data());
        assertEquals("Block", alert.action());
        assertEquals("Permission denied", alert.result());
        assertEquals("BPFLSM", alert.enforcer());
        assertEquals("lsm-test", alert.policyName());
        assertEquals(PYTHON, alert.source());
    }

    @Test
    void icmpAuditReportsAndLetsThrough() throws Exception {
        host("{network: {matchProtocols: [{protocol: icmp" + FROM_PYTHON + "}]}, action: Audit}", AUDIT);
        assertEquals(List.of("ok"), sockets(PYTHON, "inet:dgram:1"));
        Alert alert = alert(network("protocol=ICMP type=SOCK_DGRAM"));
        assertEquals("Audit", alert.action());
        assertEquals("Passed", alert.result());
    }

    @Test
    void rawBlockDeniesRawSocketsOfAnyFamilyAndNothingElse() throws Exception {
        host("{network: {matchProtocols: [{protocol: raw" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES", "EACCES", "EACCES", "ok", "ok"),
                sockets(PYTHON, "inet:raw:255", "inet:raw:1", "packet:raw:0", "inet:dgram:1", "inet:stream:6"));
        alert(network("protocol=RAW type=SOCK_RAW"));
    }

    @Test
    void packetBlockDeniesPacketSockets() throws Exception {
        host("{network: {matchProtocols: [{protocol: packet" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES", "EACCES", "ok"), sockets(PYTHON, "packet:raw:0", "packet:dgram:0", "inet:raw:1"));
        assertEquals("lsm=SOCKET_CREATE type=SOCK_RAW", alert(network("type=SOCK_RAW")).data());
    }

    @Test
    void allBlocksEverySocket() throws Exception {
        host("{network: {matchProtocols: [{protocol: all" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES", "EACCES", "EACCES", "EACCES"),
                sockets(PYTHON, "inet:stream:0", "inet6:dgram:0", "unix:stream:0", "inet:dgram:1"));
        alert(network("protocol=TCP type=SOCK_STREAM"));
    }

    @Test
    void tcpAndUdpNamesCoverInetSocketsWithoutAnExplicitProtocolButNotUnixOnes() throws Exception {
        host("{network: {matchProtocols: [{protocol: 'tcp,udp'" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES", "EACCES", "EACCES", "ok", "ok"),
                sockets(PYTHON, "inet:stream:0", "inet6:stream:6", "inet:dgram:0", "unix:stream:0", "unix:dgram:0"));
        alert(network("protocol=UDP type=SOCK_DGRAM"));
    }

    @Test
    void fromSourceBlocksOnlyTheNamedProgram() throws Exception {
        host("{network: {matchProtocols: [{protocol: tcp, fromSource: [{path: " + OTHER_PYTHON + "}]}]},"
                + " action: Block}", AUDIT);
        assertEquals(List.of("EACCES"), sockets(OTHER_PYTHON, "inet:stream:0"));
        assertEquals(List.of("ok"), sockets(PYTHON, "inet:stream:0"));
        assertEquals(OTHER_PYTHON, alert(network("protocol=TCP type=SOCK_STREAM")).source());
    }

    /** The upstream example: TCP only from one binary, everything else falls to the network posture. */
    @Test
    void tcpAllowedOnlyFromOneProgramUnderPostureBlock() throws Exception {
        host("{network: {matchProtocols: [{protocol: tcp" + FROM_PYTHON + "}]}, action: Allow}",
                NETWORK_BLOCK);
        try {
            assertEquals(List.of("ok", "EACCES"), sockets(PYTHON, "inet:stream:0", "inet:dgram:0"));
            assertEquals(List.of("EACCES"), sockets(OTHER_PYTHON, "inet:stream:0"));
            Alert posture = alert(a -> a.source().equals(OTHER_PYTHON));
            assertEquals("DefaultPosture", posture.policyName());
            assertEquals("Block", posture.action());
            assertEquals("Network", posture.operation());
        } finally {
            reset(); // this JVM's own sockets fall under the posture too
        }
    }

    @Test
    void tcpAllowListUnderPostureAuditOnlyReports() throws Exception {
        host("{network: {matchProtocols: [{protocol: tcp" + FROM_PYTHON + "}]}, action: Allow}",
                new Postures(Posture.audit, Posture.audit, Posture.audit));
        assertEquals(List.of("ok", "ok"), sockets(PYTHON, "inet:stream:0", "inet:dgram:0"));
        Alert posture = alert(network("protocol=UDP type=SOCK_DGRAM"));
        assertEquals("DefaultPosture", posture.policyName());
        assertEquals("Audit", posture.action());
    }

    /** A socket made before the rule: its connect is decided by socket_connect. */
    @Test
    void connectIsDecidedForSocketsMadeBeforeTheRule() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             SocketChannel client = SocketChannel.open()) {
            host("{network: {matchProtocols: [{protocol: tcp, fromSource: [{path: " + JAVA + "}]}]}, action: Block}",
                    AUDIT);
            assertThrows(IOException.class, () -> client.connect(server.getLocalAddress()));
            Alert alert = alert(network("protocol=TCP type=SOCK_STREAM"));
            assertEquals("lsm=SOCKET_CONNECT protocol=TCP type=SOCK_STREAM", alert.data());
        } finally {
            reset();
        }
    }

    /** A listening socket made before the rule: accepting is decided by socket_accept. */
    @Test
    void acceptIsDecidedForListeningSocketsMadeBeforeTheRule() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            host("{network: {matchProtocols: [{protocol: tcp, fromSource: [{path: " + JAVA + "}]}]}, action: Block}",
                    AUDIT);
            Process client = new ProcessBuilder(PYTHON, "-c", "import socket; s = socket.create_connection(("
                    + "'127.0.0.1', " + port + ")); s.recv(1)").start();
            try {
                assertThrows(IOException.class, server::accept);
                assertEquals("lsm=SOCKET_ACCEPT protocol=TCP type=SOCK_STREAM",
                        alert(network("protocol=TCP type=SOCK_STREAM")).data());
            } finally {
                client.destroyForcibly().waitFor();
            }
        } finally {
            reset();
        }
    }

    @Test
    void aBlockedCapabilityIsRefusedAndNamed() throws Exception {
        host("{capabilities: {matchCapabilities: [{capability: net_raw" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EPERM", "ok"), sockets(PYTHON, "inet:raw:1", "inet:dgram:1"));
        Alert alert = alert(a -> a.operation().equals("Capabilities"));
        assertEquals("CAP_NET_RAW", alert.resource());
        assertEquals("lsm=CAPABLE", alert.data());
        assertEquals("Block", alert.action());
        assertEquals("Permission denied", alert.result());
    }

    @Test
    void aCapabilityBlockedFromOneProgramStaysWithOthers() throws Exception {
        host("{capabilities: {matchCapabilities: [{capability: CAP_NET_RAW, fromSource: [{path: " + OTHER_PYTHON
                + "}]}]}, action: Block}", AUDIT);
        assertEquals(List.of("EPERM"), sockets(OTHER_PYTHON, "inet:raw:1"));
        assertEquals(List.of("ok"), sockets(PYTHON, "inet:raw:1"));
        assertEquals(OTHER_PYTHON, alert(on("CAP_NET_RAW")).source());
    }

    @Test
    void anAuditedCapabilityIsReportedAndGranted() throws Exception {
        host("{capabilities: {matchCapabilities: [{capability: net_raw" + FROM_PYTHON + "}]}, action: Audit}", AUDIT);
        assertEquals(List.of("ok"), sockets(PYTHON, "inet:raw:1"));
        Alert alert = alert(on("CAP_NET_RAW"));
        assertEquals("Audit", alert.action());
        assertEquals("Passed", alert.result());
    }

    @Test
    void networkAndCapabilityRulesAreNotedAsEnforced() {
        host("{network: {matchProtocols: [{protocol: 'icmp,raw'" + FROM_PYTHON + "}]}, capabilities:"
                + " {matchCapabilities: [{capability: 'net_raw,sys_admin'" + FROM_PYTHON + "}]}, action: Audit}", AUDIT);
        assertTrue(notes.isEmpty(), "every key reaches the kernel: " + notes);
    }
}
