package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DNS rules see the query the kernel sends, however it is sent: split over an iovec with a decoy after the
 * header, over TCP, by hand on a raw socket, from a file with sendfile; and a query the rules cannot read is
 * denied under a Block (fail closed), while plain queries for other names still get answers.
 */
class DnsEvasionEnforcementTest extends DnsScenarios {
    static final String BLOCK_GOOGLE = "{network: {matchDNSQueries: [{domain: google.com" + FROM_PYTHON
            + "}]}, action: Block}";

    /** argv: a way of sending and a name; prints "ok" (answered), "sent", "unanswered" or the errno name. */
    static final String TRICKS = """
            import errno, os, socket, struct, sys
            how, name = sys.argv[1], sys.argv[2]
            SERVER = ('127.0.0.1', 53)
            def question(n):
                return b''.join(bytes([len(l)]) + l.encode() for l in n.split('.')) + b'\\0' + struct.pack('>HH', 1, 1)
            def header(count=1):
                return struct.pack('>HHHHHH', 0x1234, 0x0100, count, 0, 0, 0)
            query = header() + question(name)
            def answered(s):
                s.settimeout(10)
                a = s.recv(512)
                return 'ok' if a[-4:] == bytes([10, 0, 0, 1]) else 'bad answer'
            def udp():
                return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                if how == 'split':  # the header alone in the first segment, a decoy right after it in memory
                    buf = bytearray(header() + question('example.org'))
                    s = udp()
                    s.sendmsg([memoryview(buf)[:12], question(name)], [], 0, SERVER)
                    print(answered(s))
                elif how == 'twoquestions':  # a decoy question first, the name second
                    s = udp()
                    s.sendto(header(2) + question('example.org') + question(name), SERVER)
                    print(answered(s))
                elif how == 'pointer':  # the name through a compression pointer to a copy of it
                    s = udp()
                    s.sendto(header() + b'\\xc0\\x0c' + struct.pack('>HH', 1, 1) + question(name), SERVER)
                    print(answered(s))
                elif how in ('tcp', 'tcpsplit'):
                    s = socket.create_connection(SERVER)
                    framed = struct.pack('>H', len(query)) + query
                    if how == 'tcp':
                        s.send(framed)
                    else:
                        s.send(framed[:2]); s.send(framed[2:])
                    s.settimeout(10)
                    a = s.recv(512)
                    print('ok' if a[-4:] == bytes([10, 0, 0, 1]) else 'bad answer')
                elif how in ('write', 'sendfile'):
                    s = udp(); s.connect(SERVER)
                    if how == 'write':
                        os.write(s.fileno(), query)
                    else:
                        path = '/tmp/bulwark-dns/query.bin'
                        with open(path, 'wb') as f:
                            f.write(query)
                        with open(path, 'rb') as f:
                            os.sendfile(s.fileno(), f.fileno(), 0, len(query))
                    print(answered(s))
                elif how == 'raw':  # UDP built by hand: the answer comes to a socket bound to the source port
                    reply = udp(); reply.bind(('127.0.0.1', 0))
                    port = reply.getsockname()[1]
                    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
                    raw.sendto(struct.pack('>HHHH', port, 53, 8 + len(query), 0) + query, ('127.0.0.1', 0))
                    print(answered(reply))
                elif how == 'hdrincl':
                    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                    raw.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
                    print('ok')
            except socket.timeout:
                print('unanswered')
            except OSError as e:
                print(errno.errorcode.get(e.errno, str(e.errno)))
            """;

    DnsEvasionEnforcementTest() {
        super("tricks.py", TRICKS);
    }

    /** What the trick printed for the name, sent as python3.11. */
    static String send(String how, String name) throws IOException, InterruptedException {
        return python(PYTHON, DIR.resolve("tricks.py"), how, name).getLast();
    }

    /**
     * Each way of sending, under a Block of google.com: the attack (a blocked name, or a query the rules cannot
     * read) is denied, and the same way with another name still gets its answer.
     */
    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({
        "split, www.google.com, EACCES", "split, example.com, ok", // the header alone first, a decoy after it
        "tcp, google.com, EACCES", "tcp, example.com, ok",
        "raw, google.com, EACCES", "raw, example.com, ok", // UDP built by hand on a raw socket
        "write, google.com, EACCES", "write, example.com, ok", // write(2) on a connected socket (Go's resolver)
        "sendfile, google.com, EACCES", "sendfile, example.com, EACCES", // pages the rules cannot read
        "twoquestions, google.com, EACCES", // a decoy question first
        "pointer, google.com, EACCES", // the name behind a compression pointer
        "tcpsplit, example.com, EACCES", // a TCP length sent apart from its message
        "hdrincl, -, EACCES"})
    void underABlockEveryWayOfSendingIsJudged(String way, String name, String expected) throws Exception {
        host(BLOCK_GOOGLE, AUDIT);
        assertEquals(expected, send(way, name));
    }

    @Test
    void aDeniedSplitQueryIsReportedByItsName() throws Exception {
        host(BLOCK_GOOGLE, AUDIT);
        assertEquals("EACCES", send("split", "www.google.com"));
        alert(DnsEnforcementTest.queried("www.google.com"));
    }

    @Test
    void aQuerySentFromAFileIsDeniedAndSaysWhy() throws Exception {
        host(BLOCK_GOOGLE, AUDIT);
        assertEquals("EACCES", send("sendfile", "google.com"));
        Alert alert = alert(a -> a.message().startsWith("query not in the sender's memory"));
        assertEquals("Block", alert.action());
        assertEquals("DefaultPosture", alert.policyName());
    }

    @Test
    void aQueryTheRulesCannotReadIsDeniedAndSaysWhy() throws Exception {
        host(BLOCK_GOOGLE, AUDIT);
        assertEquals("EACCES", send("pointer", "google.com"));
        Alert alert = alert(a -> a.message().startsWith("query not one whole message"));
        assertEquals("Permission denied", alert.result());
    }

    @Test
    void withOnlyAuditRulesQueriesTheRulesCannotReadGoThrough() throws Exception {
        host("{network: {matchDNSQueries: [{domain: google.com" + FROM_PYTHON + "}]}, action: Audit}", AUDIT);
        assertEquals("ok", send("twoquestions", "google.com"));
        assertEquals("ok", send("tcpsplit", "example.com"));
        assertEquals("ok", send("sendfile", "example.com"));
        assertEquals("ok", send("hdrincl", "-"));
    }
}
