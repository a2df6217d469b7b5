package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * DNS rules (`matchDNSQueries`) in a real kernel: a small Python program sends one DNS query per name to a DNS
 * server on the loopback address ({@link DnsServer}), and says whether the query was refused or answered.
 */
class DnsEnforcementTest extends DnsScenarios {

    /** argv: sendto|connect inet|inet6 name...; per name "ok" (answered), "unanswered" or the errno name. */
    static final String QUERIES = """
            import errno, socket, struct, sys
            how, family, names = sys.argv[1], sys.argv[2], sys.argv[3:]
            fam, address = (socket.AF_INET, ('127.0.0.1', 53)) if family == 'inet' else (socket.AF_INET6, ('::1', 53))
            for name in names:
                question = b''.join(bytes([len(label)]) + label.encode() for label in name.split('.')) + b'\\0'
                query = struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + question + struct.pack('>HH', 1, 1)
                s = socket.socket(fam, socket.SOCK_DGRAM)
                try:
                    if how == 'connect':
                        s.connect(address)
                        s.send(query)
                    else:
                        s.sendto(query, address)
                    s.settimeout(10)
                    answer = s.recv(512)
                    print('ok' if answer[:2] == query[:2] and answer[-4:] == bytes([10, 0, 0, 1]) else 'bad answer')
                except socket.timeout:
                    print('unanswered')
                except OSError as e:
                    print(errno.errorcode.get(e.errno, str(e.errno)))
                s.close()
            """;

    DnsEnforcementTest() {
        super("queries.py", QUERIES);
    }

    static List<String> query(String python, String how, String family, String... names)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(how, family));
        args.addAll(List.of(names));
        return python(python, DIR.resolve("queries.py"), args.toArray(String[]::new));
    }

    static Predicate<Alert> queried(String name) {
        return alert -> alert.data().equals("lsm=SOCKET_SENDMSG domain=" + name);
    }

    @Test
    void aBlockedDomainTakesItsSubdomainsButNoOtherName() throws Exception {
        host("{network: {matchDNSQueries: [{domain: google.com" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES", "EACCES", "EACCES", "ok", "ok", "ok"), query(PYTHON, "sendto", "inet",
                "google.com", "www.google.com", "Mail.GOOGLE.com", "notgoogle.com", "google.com.example.org",
                "example.com"));
        Alert alert = alert(queried("www.google.com"));
        assertEquals("google.com", alert.resource(), "the policy's domain, as upstream reports it");
        assertEquals("Network", alert.operation());
        assertEquals("Block", alert.action());
        assertEquals("Permission denied", alert.result());
        assertEquals("BPFLSM", alert.enforcer());
        assertEquals(PYTHON, alert.source());
    }

    @Test
    void anAuditedDomainIsReportedAndSent() throws Exception {
        host("{network: {matchDNSQueries: [{domain: example.com" + FROM_PYTHON + "}]}, action: Audit}", AUDIT);
        assertEquals(List.of("ok"), query(PYTHON, "sendto", "inet", "api.example.com"));
        Alert alert = alert(queried("api.example.com"));
        assertEquals("Audit", alert.action());
        assertEquals("Passed", alert.result());
    }

    @Test
    void queriesOnAConnectedSocketAreDecidedToo() throws Exception {
        host("{network: {matchDNSQueries: [{domain: google.com" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES", "ok"), query(PYTHON, "connect", "inet", "google.com", "example.com"));
    }

    @Test
    void queriesOverIpv6AreDecidedToo() throws Exception {
        host("{network: {matchDNSQueries: [{domain: google.com" + FROM_PYTHON + "}]}, action: Block}", AUDIT);
        assertEquals(List.of("EACCES"), query(PYTHON, "sendto", "inet6", "www.google.com"));
    }

    @Test
    void fromSourceBlocksOnlyTheNamedProgram() throws Exception {
        host("{network: {matchDNSQueries: [{domain: google.com, fromSource: [{path: " + OTHER_PYTHON + "}]}]},"
                + " action: Block}", AUDIT);
        assertEquals(List.of("EACCES"), query(OTHER_PYTHON, "sendto", "inet", "google.com"));
        assertEquals(List.of("ok"), query(PYTHON, "sendto", "inet", "google.com"));
    }

    @Test
    void anAllowListUnderPostureBlockDeniesEveryOtherName() throws Exception {
        host("{network: {matchDNSQueries: [{domain: example.com" + FROM_PYTHON + "}]}, action: Allow}",
                new Postures(Posture.audit, Posture.block, Posture.audit));
        try {
            assertEquals(List.of("ok", "ok", "EACCES"), query(PYTHON, "sendto", "inet", "example.com",
                    "www.example.com", "google.com"));
            Alert posture = alert(queried("google.com"));
            assertEquals("DefaultPosture", posture.policyName());
            assertEquals("Block", posture.action());
        } finally {
            reset();
        }
    }

    /** A pod's resolver tries the name with Kubernetes' search suffixes first: those queries are the domain's. */
    @Test
    void aContainersQueriesWithSearchSuffixesAreTheDomains() throws Exception {
        String output = inSandbox("{network: {matchDNSQueries: [{domain: google.com}]}, action: Block}", AUDIT,
                sandbox -> sandbox.run(PYTHON + " " + DIR.resolve("queries.py") + " sendto inet"
                        + " google.com.test.svc.cluster.local google.com.svc.cluster.local google.com.cluster.local"
                        + " www.google.com example.com example.com.test.svc.cluster.local"));
        assertEquals("EACCES\nEACCES\nEACCES\nEACCES\nok\nok\nstatus=0", output.strip());
        Alert alert = alert(queried("google.com.test.svc.cluster.local"));
        assertEquals("google.com", alert.resource());
        assertEquals("MatchedPolicy", alert.type());
    }
}
