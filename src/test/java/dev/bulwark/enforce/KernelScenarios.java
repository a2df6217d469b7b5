package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.compile.PolicySelection;
import dev.bulwark.compile.RuleCompiler;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.TestPolicies;
import dev.bulwark.settings.Postures;
import dev.bulwark.settings.Throttle;
import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;

/**
 * What every real-kernel scenario class shares: the enforcer's programs loaded into the guest's BPF-LSM, policies
 * compiled as the agent compiles them and written into its maps, and the alerts that come back. Runs only in the
 * VM guest (`mvn verify -Pvm`, or src/test/vm/vmrun -- java ... dev.bulwark.GuestSuite); excluded by tag on the host.
 */
@Tag("bpf-lsm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KernelScenarios {
    static final Endpoint HOST = Endpoint.host("vmrun", Map.of());
    /** Above what any single test raises, except the throttling test. */
    static final int THROTTLE_PER_SEC = 8;
    static final Postures AUDIT = new Postures(Posture.audit, Posture.audit, Posture.audit);

    /** A program for fromSource, and a copy of it elsewhere: another program as far as the kernel can tell. */
    static final String PYTHON = "/usr/bin/python3.11";
    static final String OTHER_PYTHON = "/tmp/bulwark-python-copy";
    /** Host policies name the programs their network and capability rules are for (as upstream requires). */
    static final String FROM_PYTHON = ", fromSource: [{path: " + PYTHON + "}]";

    BpfEnforcer enforcer;
    final BlockingQueue<Alert> alerts = new LinkedBlockingQueue<>();
    final List<String> notes = new ArrayList<>();

    /**
     * One enforcer for every class of the suite: loading (the verifier's work) takes most of a minute under
     * emulation. The classes run one after another; alerts and notes go to the one running.
     */
    private static BpfEnforcer shared;
    private static volatile KernelScenarios running;
    /** -Dbulwark.stats=true: the kernel counts each program's runs and time, printed for each class. */
    private static int statsFd = -1;
    private static Map<String, dev.bulwark.bpf.Bpf.ProgramStats> statsBefore = Map.of();

    @BeforeAll
    void load() throws IOException {
        String lsm = Files.readString(Path.of("/sys/kernel/security/lsm"));
        assertTrue(lsm.contains("bpf"), "this suite needs a kernel booted with lsm=...,bpf (run it through "
                + "src/test/vm/vmrun); active LSMs: " + lsm);
        if (!Files.exists(Path.of(OTHER_PYTHON))) {
            Files.copy(Path.of(PYTHON), Path.of(OTHER_PYTHON));
            Path.of(OTHER_PYTHON).toFile().setExecutable(true);
        }
        running = this;
        synchronized (KernelScenarios.class) {
            if (shared == null) {
                shared = new BpfEnforcer(null, new BpfEnforcer.Limits(64, 4096), new Throttle(THROTTLE_PER_SEC, 2),
                        "default", "vmrun", alert -> running.alerts.add(alert),
                        (set, found) -> running.notes.addAll(found));
                if (Boolean.getBoolean("bulwark.stats")) {
                    statsFd = dev.bulwark.bpf.Bpf.enableStats();
                }
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
            }
        }
        enforcer = shared;
        statsBefore = enforcer.programStats();
    }

    @AfterAll
    void unload() {
        if (statsFd < 0) {
            return;
        }
        Map<String, dev.bulwark.bpf.Bpf.ProgramStats> now = enforcer.programStats();
        System.out.println(getClass().getSimpleName() + ", kernel programs:");
        now.forEach((name, total) -> {
            var before = statsBefore.getOrDefault(name, new dev.bulwark.bpf.Bpf.ProgramStats(0, 0));
            long runs = total.runCount() - before.runCount();
            long nanos = total.runTimeNs() - before.runTimeNs();
            if (runs > 0) {
                System.out.printf("  %-34s %9d runs %8.1f ms %7d ns/run%n", name, runs, nanos / 1e6, nanos / runs);
            }
        });
    }

    /** Clears every rule of the host and what earlier operations reported. */
    void reset() {
        enforcer.apply(RuleCompiler.compile(HOST, List.of(), new RuleCompiler.Options(AUDIT, true)));
        alerts.clear();
        notes.clear();
    }

    /** Applies one host policy with this spec (YAML flow style, starting with "{") under these postures. */
    RuleSet host(String spec, Postures postures) {
        return apply(HOST, "KubeArmorHostPolicy", "{nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}, "
                + spec.substring(1), postures);
    }

    RuleSet apply(Endpoint endpoint, String kind, String spec, Postures postures) {
        List<Policy> policies = PolicySelection.applicable(
                List.of(TestPolicies.read(kind, "lsm-test", "test", spec)), endpoint);
        assertEquals(1, policies.size(), "the policy must select the endpoint");
        RuleSet ruleSet = RuleCompiler.compile(endpoint, policies, new RuleCompiler.Options(postures, true));
        enforcer.apply(ruleSet);
        return ruleSet;
    }

    Alert alert(Predicate<Alert> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Alert> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            Alert alert = alerts.poll(100, TimeUnit.MILLISECONDS);
            if (alert != null) {
                if (wanted.test(alert)) {
                    return alert;
                }
                seen.add(alert);
            }
        }
        throw new AssertionError("no such alert; saw " + seen);
    }

    static Predicate<Alert> on(String resource) {
        return alert -> alert.resource().equals(resource);
    }

    /** What a sandbox test does once the sandbox's endpoint has its policy. */
    interface InSandbox<T> {
        T run(Sandbox sandbox) throws Exception;
    }

    /**
     * Starts a sandbox, gives its endpoint (labels app: sandbox) a KubeArmorPolicy with this spec (YAML flow
     * style, starting with "{", without a selector) under these postures, runs the work, and takes the rules away.
     */
    <T> T inSandbox(String spec, Postures postures, InSandbox<T> work) throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            Endpoint container = sandbox.endpoint(Map.of("app", "sandbox"));
            apply(container, "KubeArmorPolicy", "{selector: {matchLabels: {app: sandbox}}, " + spec.substring(1),
                    postures);
            try {
                return work.run(sandbox);
            } finally {
                enforcer.remove(container);
            }
        }
    }

    /** Runs a Python script with these arguments; what it printed, one line each (it must exit 0). */
    static List<String> python(String python, Path script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertEquals(0, process.waitFor(), output);
        return List.of(output.split("\n"));
    }

    /** A bash command line's exit status and what it printed: "status: output". */
    static String shOutput(String commandLine) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("/usr/bin/bash", "-c", commandLine).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        return process.waitFor() + ": " + output;
    }

    /** A bash command line's exit status. */
    static int sh(String commandLine) throws IOException, InterruptedException {
        return run("/usr/bin/bash", "-c", commandLine);
    }

    /** The same, as the unprivileged user nobody (65534). */
    static int asNobody(String commandLine) throws IOException, InterruptedException {
        return run("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/bash", "-c",
                commandLine);
    }

    /** The start of the Python helpers that call libc through ctypes and print errno names. */
    static final String LIBC = """
            import ctypes, errno, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            """;

    /** One command line that runs each command in turn and prints "r0=S r1=S ..." with their exit statuses. */
    static String each(String... commands) {
        StringBuilder line = new StringBuilder("echo");
        for (int i = 0; i < commands.length; i++) {
            line.append(" r").append(i).append("=$(").append(commands[i]).append(" > /dev/null 2>&1; echo $?)");
        }
        return line.toString();
    }

    /** The exit status a sandbox's command line ended with (its output ends with "status=N"). */
    static int status(String output) {
        int at = output.lastIndexOf("status=");
        assertTrue(at >= 0, output);
        return Integer.parseInt(output.substring(at + 7).strip());
    }

    static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor();
    }
}
