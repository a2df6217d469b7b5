package dev.bulwark.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.telemetry.Log;
import dev.bulwark.telemetry.Telemetry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DNS queries seen by the monitor on this machine's kernel, sent the way glibc's resolver sends them: `getent
 * hosts` asks one question with send() on a connected UDP socket, `getent ahosts` asks A and AAAA at once with
 * sendmmsg(). The resolver is pointed at 127.0.0.1 (nothing answers) inside a private mount namespace.
 */
@QuarkusTest
@TestProfile(DnsMonitorTest.Profile.class)
class DnsMonitorTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bulwark.enableSystemMonitor", "true", "bulwark.hostVisibility", "dns",
                    "bulwark.criSocket", "unix:///nonexistent/runtime.sock", "bulwark.bpfStats", "true");
        }
    }

    @Inject
    Telemetry telemetry;

    @ParameterizedTest
    @CsvSource({"hosts, one.bulwark-dns.test", "ahosts, two.bulwark-dns.test"})
    void aQueryBecomesAHostLogNamingTheDomain(String database, String domain) throws Exception {
        Path resolvConf = Files.createTempFile("resolv", ".conf");
        Files.writeString(resolvConf, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
        List<Log> logs = new CopyOnWriteArrayList<>();
        try (AutoCloseable subscription = telemetry.subscribe(r -> {
            if (r instanceof Log log && log.data().contains("domain=" + domain + ",")) {
                logs.add(log);
            }
        })) {
            Process lookup = new ProcessBuilder("unshare", "--mount", "sh", "-c",
                    "mount --bind " + resolvConf + " /etc/resolv.conf && getent " + database + " " + domain)
                    .redirectErrorStream(true).start();
            lookup.getInputStream().readAllBytes();
            assertEquals(2, lookup.waitFor(), "getent finds nothing: no server answers");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            while (logs.isEmpty() && Instant.now().isBefore(deadline)) {
                Thread.sleep(50);
            }
        } finally {
            Files.delete(resolvConf);
        }
        assertTrue(!logs.isEmpty(), "no log for the query of " + domain);
        Log log = logs.getFirst();
        assertEquals("HostLog", log.type());
        assertEquals("Network", log.operation());
        assertEquals("sa_family=AF_INET sin_port=53", log.resource());
        assertTrue(log.data().startsWith("kfunc=UDP_SENDMSG,domain=" + domain + ",daddr=127.0.0.1,qtype="),
                log.data());
        assertEquals("/usr/bin/getent", log.context().processName());

        // The ring buffer's lag: the boot clock read in Java against the kernel's timestamp of the event.
        double lag = io.restassured.RestAssured.get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("bulwark_ringbuffer_lag_seconds{ring=\"monitor\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        assertTrue(lag > 0 && lag < 5, "lag in seconds: " + lag);

        // bpf_stats (bpfStats=true): the kernel counted the monitor's raw tracepoint runs.
        String sysEnter = "bulwark_bpf_program_runs_total{object=\"monitor\",program=\"bulwark_sys_enter\"}";
        double runs = io.restassured.RestAssured.get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith(sysEnter))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
        assertTrue(runs > 0, "sys_enter runs counted: " + runs);
    }
}
