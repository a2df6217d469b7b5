package dev.bulwark.agent;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.enforce.RuleSetWriter;
import dev.bulwark.enforce.SuppressedAlerts;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.intake.PolicyStore;
import dev.bulwark.monitor.SystemMonitor;
import dev.bulwark.policy.PolicyKind;
import dev.bulwark.telemetry.Subscribers;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The agent's state as Prometheus metrics, read when scraped: policies per kind, endpoints, rule entries,
 * the processes tracked, events held back by visibility, and every kind of loss, under `bulwark_dropped_total`
 * with its reason (the gRPC readers' queue drops are counted where they happen, under the same name).
 */
@Startup
@Singleton
public class AgentMetrics {
    @Inject
    MeterRegistry metrics;
    @Inject
    PolicyStore store;
    @Inject
    PolicyEngine engine;
    @Inject
    EndpointRegistry endpoints;
    @Inject
    RuleSetWriter writer;
    @Inject
    SystemMonitor monitor;
    @Inject
    BulwarkConfig config;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.agent");

    /** Not static: a native image initializes this class at build time, and Bpf's classes only at run time. */
    private final Bpf.ProgramStats none = new Bpf.ProgramStats(0, 0);

    private final List<Meter> registered = new java.util.concurrent.CopyOnWriteArrayList<>(); // policies come later
    private int statsFd = -1;

    @PostConstruct
    void register() {
        for (PolicyKind kind : PolicyKind.values()) {
            keep(Gauge.builder("bulwark.policies", store, s -> s.all().stream().filter(p -> p.kind() == kind).count())
                    .description("policies in force, by kind").tag("kind", kind.name()).register(metrics));
        }
        keep(Gauge.builder("bulwark.endpoints", endpoints, e -> e.all().size())
                .description("endpoints known: the host and the containers").register(metrics));
        keep(Gauge.builder("bulwark.rule.entries", engine, PolicyEngine::ruleEntries)
                .description("rule entries compiled for all endpoints").register(metrics));
        keep(Gauge.builder("bulwark.ringbuffer.lag.seconds", writer, w -> w.ringLagNanos() / 1e9)
                .description("how long the last event waited in a kernel ring buffer before it was read")
                .tag("ring", "enforcer").register(metrics));
        keep(Gauge.builder("bulwark.ringbuffer.lag.seconds", monitor, m -> m.ringLagNanos() / 1e9)
                .description("how long the last event waited in a kernel ring buffer before it was read")
                .tag("ring", "monitor").register(metrics));
        dropped("enforcer_ring_full", writer, RuleSetWriter::lostEvents);
        dropped("monitor_ring_full", monitor, SystemMonitor::lostEvents);
        dropped("unattributed", monitor, SystemMonitor::unattributed);
        dropped("throttled", monitor, SystemMonitor::throttled);
        suppressed("monitor", monitor.suppressed());
        keep(Gauge.builder("bulwark.processes", monitor, m -> m.processTree() == null ? 0 : m.processTree().size())
                .description("live processes in the process tree").register(metrics));
        keep(FunctionCounter.builder("bulwark.processes.evicted", monitor,
                        m -> m.processTree() == null ? 0 : m.processTree().evicted())
                .description("processes evicted from the tree to stay within maxProcesses").register(metrics));
        for (String scope : new String[] {"host", "container"}) {
            int index = scope.equals("host") ? KernelLayout.SCOPE_HOST : KernelLayout.SCOPE_CONTAINER;
            for (RuleClass ruleClass : RuleClass.values()) {
                keep(FunctionCounter.builder("bulwark.monitor.filtered", monitor, m -> m.filtered(index, ruleClass))
                        .description("events the kernel held back because no visibility asked for them")
                        .tags("scope", scope, "class", ruleClass.name().toLowerCase(Locale.ROOT)).register(metrics));
            }
        }
    }

    /** Alerts a throttle dropped, by policy: a counter for each policy from the first of its alerts dropped. */
    private void suppressed(String source, SuppressedAlerts suppressed) {
        if (suppressed == null) {
            return;
        }
        suppressed.onNewPolicy(policy -> keep(FunctionCounter.builder("bulwark.alerts.suppressed", suppressed,
                        s -> s.total(policy))
                .description("alerts a throttle dropped (enforcement continued), by policy")
                .tags("source", source, "policy", policy).register(metrics)));
    }

    private void keep(Meter meter) {
        registered.add(meter);
    }

    /**
     * The BPF programs' run time and runs, once the programs are loaded; bpf_stats is turned on first when
     * `bpfStats` asks for it.
     */
    void registerPrograms() {
        if (config.bpfStats()) {
            try {
                statsFd = Bpf.enableStats();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("bulwark.bpfStats: bpf_stats cannot be turned on (" + e.getMessage() + "); BPF program"
                        + " run times stay 0 unless kernel.bpf_stats_enabled is set");
            }
        }
        programs("enforcer", writer, RuleSetWriter::programStats);
        suppressed("enforcer", writer.suppressed());
        programs("monitor", monitor, SystemMonitor::programStats);
    }

    private <T> void programs(String object, T source, Function<T, Map<String, Bpf.ProgramStats>> stats) {
        for (String program : stats.apply(source).keySet()) {
            keep(FunctionCounter.builder("bulwark.bpf.program.run.seconds", source,
                            s -> stats.apply(s).getOrDefault(program, none).runTimeNs() / 1e9)
                    .description("time spent in a BPF program (bpf_stats)")
                    .tags("object", object, "program", program).register(metrics));
            keep(FunctionCounter.builder("bulwark.bpf.program.runs", source,
                            s -> stats.apply(s).getOrDefault(program, none).runCount())
                    .description("runs of a BPF program (bpf_stats)")
                    .tags("object", object, "program", program).register(metrics));
        }
    }

    /** The meters read beans of this run: a registry that outlives it (tests restart the app) must drop them. */
    @PreDestroy
    void unregister() {
        registered.forEach(metrics::remove);
        if (statsFd >= 0) {
            Bpf.closeFd(statsFd);
        }
    }

    private <T> void dropped(String reason, T source, java.util.function.ToDoubleFunction<T> count) {
        keep(FunctionCounter.builder(Subscribers.DROPPED, source, count)
                .description("records or events not delivered, by reason").tag("reason", reason).register(metrics));
    }
}
