package dev.bulwark.monitor;

import static dev.bulwark.monitor.ContainerDaemons.ctr;
import static dev.bulwark.monitor.ContainerDaemons.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.Eventually;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.telemetry.Alert;
import dev.bulwark.telemetry.Log;
import dev.bulwark.telemetry.Telemetry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The monitor on this machine's own kernel (tracepoints), with real containerd and dockerd: containers are
 * learned from the runtimes, their processes' events become logs that name them, and audit and syscall rules
 * become monitor alerts.
 */
@QuarkusTest
@TestProfile(ContainerMonitorTest.Profile.class)
@QuarkusTestResource(value = ContainerDaemons.class, restrictToAnnotatedClass = true)
class ContainerMonitorTest {
    /** Docker is the runtime watched; containerd gets its own watcher in the containerd test below. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("bulwark.enableSystemMonitor", "true",
                    "bulwark.criSocket", "unix://" + ContainerDaemons.DOCKER,
                    "bulwark.hostVisibility", "none",
                    "bulwark.visibility", "process,file",
                    "bulwark.namespaceVisibility.quiet", "none");
        }
    }

    @Inject
    EndpointRegistry endpoints;
    @Inject
    Telemetry telemetry;

    final List<Object> records = new CopyOnWriteArrayList<>();
    AutoCloseable subscription;

    @BeforeEach
    void subscribe() {
        subscription = telemetry.subscribe(records::add);
    }

    @AfterEach
    void unsubscribe() throws Exception {
        subscription.close();
    }

    Endpoint awaitContainer(String name, Duration within) {
        Supplier<Endpoint> named = () -> endpoints.all().stream().filter(e -> name.equals(e.container())).findFirst()
                .orElse(null);
        return within.isZero() ? named.get()
                : Eventually.poll(within, Duration.ofMillis(10), named, endpoint -> endpoint != null);
    }

    /**
     * How long the container's first process had been running when the agent knew it (and so had written its
     * rules): the startup window of runtime-event discovery, which a registration hook closes. From the
     * process's start time and the boot clock (/proc/uptime), both in 10 ms ticks; printed for the README.
     */
    static long startupWindowMillis(long pid) throws java.io.IOException {
        String uptime = Files.readString(Path.of("/proc/uptime")).split(" ")[0];
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        long startTicks = Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
        return Math.round(Double.parseDouble(uptime) * 1000) - startTicks * 10;
    }

    <T> List<T> await(Class<T> type, Predicate<T> condition, int count) {
        return Eventually.poll(Duration.ofSeconds(10), Duration.ofMillis(50),
                () -> records.stream().filter(type::isInstance).map(type::cast).filter(condition).toList(),
                found -> found.size() >= count);
    }

    @Test
    void dockerContainersAreLearnedAndTheirCommandsLogged() throws Exception {
        String id = docker("run", "-d", "--network", "none", "--name", "web-1", "-l", "app=web",
                "-l", "io.kubernetes.pod.namespace=web", ContainerDaemons.IMAGE, "sleep", "60");
        Endpoint web = awaitContainer("web-1", Duration.ofSeconds(1));
        long pid = Long.parseLong(docker("inspect", "-f", "{{.State.Pid}}", id));
        System.out.println("startup window (Docker events): " + startupWindowMillis(pid) + " ms");
        assertNotNull(web, "learned within 1 s of docker run returning");
        assertEquals(id, web.containerId());
        assertEquals(ContainerDaemons.IMAGE, web.image());
        assertEquals("web", web.namespace());
        assertEquals("web", web.labels().get("app"));
        assertEquals(KernelIdentity.ofProcess(pid), web.identity());

        docker("exec", "web-1", "cat", "/etc/hostname");
        Log exec = await(Log.class, l -> id.equals(l.context().containerId()) && "Process".equals(l.operation())
                && l.resource().contains("/etc/hostname"), 1).stream().findFirst().orElseThrow();
        assertEquals("ContainerLog", exec.type());
        assertEquals("web-1", exec.context().containerName());
        assertEquals("/bin/busybox", exec.context().processName(), "cat is busybox, as the kernel resolves it");
        assertTrue(exec.context().pid() > 1 && exec.context().pid() < 100, "PID is the container's: " + exec);
        assertTrue(exec.context().hostPid() > 1000 || exec.context().hostPid() != exec.context().pid(), exec.toString());
        assertTrue(exec.context().parentProcessName().contains("runc"),
                "the parent is runc's exec process: " + exec.context().parentProcessName());
        assertEquals("syscall=SYS_EXECVE", exec.data());

        // Audit container policy: one alert per matching open, with the log's identity.
        List<Alert> audits = await(Alert.class, a -> "audit-web".equals(a.policyName()), 1);
        assertEquals(1, audits.size(), "exactly one alert for one cat: " + audits);
        Alert audit = audits.getFirst();
        assertEquals("Audit", audit.action());
        assertEquals("eBPF Monitor", audit.enforcer());
        assertEquals("/etc/hostname", audit.resource());
        assertEquals("MatchedPolicy", audit.type());
        assertEquals(id, audit.context().containerId());
        assertEquals("Passed", audit.result());

        // Syscall rule (matchSyscalls, fromSource dir): severity and message inherited from the syscalls block.
        docker("exec", "web-1", "sh", "-c", "touch /tmp/x && rm /tmp/x");
        List<Alert> syscalls = await(Alert.class, a -> "Syscall".equals(a.operation()), 1);
        assertEquals(1, syscalls.size(), syscalls.toString());
        assertEquals("6", syscalls.getFirst().severity());
        assertEquals("file removed by a shell tool", syscalls.getFirst().message());
        assertTrue(syscalls.getFirst().data().startsWith("syscall=SYS_UNLINK"), syscalls.getFirst().data());

        docker("rm", "-f", "web-1");
        Eventually.poll(Duration.ofSeconds(5), Duration.ofMillis(50), () -> awaitContainer("web-1", Duration.ZERO),
                endpoint -> endpoint == null);
        assertEquals(null, awaitContainer("web-1", Duration.ZERO), "forgotten once it is gone");
    }

    @Test
    void visibilityNoneForANamespaceYieldsNoLogs() throws Exception {
        String quiet = docker("run", "-d", "--network", "none", "--name", "quiet-1",
                "-l", "io.kubernetes.pod.namespace=quiet", ContainerDaemons.IMAGE, "sleep", "60");
        String loud = docker("run", "-d", "--network", "none", "--name", "loud-1",
                "-l", "io.kubernetes.pod.namespace=loud", ContainerDaemons.IMAGE, "sleep", "60");
        assertNotNull(awaitContainer("quiet-1", Duration.ofSeconds(1)));
        assertNotNull(awaitContainer("loud-1", Duration.ofSeconds(1)));
        docker("exec", "quiet-1", "cat", "/etc/hostname");
        docker("exec", "loud-1", "cat", "/etc/hostname");
        assertEquals(1, await(Log.class, l -> loud.equals(l.context().containerId())
                && "Process".equals(l.operation()) && l.resource().contains("/etc/hostname"), 1).size());
        assertEquals(List.of(), records.stream().filter(Log.class::isInstance).map(Log.class::cast)
                .filter(l -> quiet.equals(l.context().containerId())).toList());
        docker("rm", "-f", "quiet-1", "loud-1");
    }

    @Test
    void auditHostPolicyYieldsOneAlertPerOperation() throws Exception {
        Path secret = Path.of("/tmp/bulwark-monitor-audit");
        Files.writeString(secret, "x"); // the test's own write is audited too: only cat's opens are counted
        for (int i = 0; i < 3; i++) {
            ContainerDaemons.run("cat", secret.toString());
        }
        Predicate<Alert> byCat = a -> "audit-host-secret".equals(a.policyName())
                && "/usr/bin/cat".equals(a.context().processName());
        await(Alert.class, byCat, 3);
        Thread.sleep(300);
        List<Alert> alerts = records.stream().filter(Alert.class::isInstance).map(Alert.class::cast).filter(byCat)
                .toList();
        assertEquals(3, alerts.size(), "one per cat: " + alerts);
        assertEquals("MatchedHostPolicy", alerts.getFirst().type());
        assertEquals("/usr/bin/cat", alerts.getFirst().context().processName());
        assertEquals("", alerts.getFirst().context().containerId() == null ? "" : alerts.getFirst().context().containerId());
        assertEquals(List.of(), records.stream().filter(Log.class::isInstance).map(Log.class::cast)
                .filter(l -> "HostLog".equals(l.type())).toList(), "host visibility none: no host logs");
    }

    @Test
    void containerdContainersAreLearnedFromItsOwnApi() throws Exception {
        try (var watcher = new dev.bulwark.identity.runtime.ContainerdWatcher(ContainerDaemons.CONTAINERD,
                Path.of("/proc"), endpoints)) {
            watcher.start();
            // runc keeps its state outside containerd's (/run/containerd/runc): a fresh id per run
            String id = "ctd-" + ProcessHandle.current().pid();
            ctr("run", "-d", "--label", "app=ctd", "--label", "io.kubernetes.container.name=ctd-main",
                    "docker.io/" + ContainerDaemons.IMAGE, id, "sleep", "60");
            Endpoint ctd = awaitContainer("ctd-main", Duration.ofSeconds(1));
            long pid = Long.parseLong(ctr("task", "ls").lines().filter(l -> l.startsWith(id)).findFirst()
                    .orElseThrow().trim().split("\\s+")[1]);
            System.out.println("startup window (containerd events): " + startupWindowMillis(pid) + " ms");
            assertNotNull(ctd, "learned within 1 s of ctr run returning");
            assertEquals(id, ctd.containerId());
            assertEquals("ctd", ctd.labels().get("app"));
            assertEquals("docker.io/" + ContainerDaemons.IMAGE, ctd.image());
            ctr("task", "exec", "--exec-id", "probe", id, "ls", "/tmp");
            Log log = await(Log.class, l -> id.equals(l.context().containerId())
                    && "Process".equals(l.operation()) && l.resource().endsWith(" /tmp"), 1).getFirst();
            assertEquals("ctd-main", log.context().containerName());
            assertTrue(log.context().execEvent() != null, "ctr task exec enters through setns: an exec session");
            ctr("task", "kill", "-s", "KILL", id);
        }
    }
}
