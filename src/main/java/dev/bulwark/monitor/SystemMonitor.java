package dev.bulwark.monitor;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.bpf.RingBufferReader;
import dev.bulwark.compile.RuleMatcher;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.compile.RuleSetChanged;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Visibility;
import dev.bulwark.enforce.RuleSetWriter;
import dev.bulwark.enforce.SuppressedAlerts;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.EndpointRegistry;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.monitor.MonitorLogs.Description;
import dev.bulwark.monitor.ProcessTree.ProcessInfo;
import dev.bulwark.settings.LiveSettings;
import dev.bulwark.settings.Throttle;
import dev.bulwark.telemetry.AgentLog;
import dev.bulwark.telemetry.Alert;
import dev.bulwark.telemetry.Log;
import dev.bulwark.telemetry.ProcessContext;
import dev.bulwark.telemetry.Telemetry;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The system monitor: loads monitor.bpf.o, keeps the process tree, and turns what the kernel reports into
 * KubeArmor logs (what visibility asks for) and monitor alerts (syscall rules; and, where no BPF-LSM enforcer
 * decides, the process and file rules). Events of a container not known yet are held briefly and attributed
 * once it registers; they are never given to another endpoint. (Its size, past 300 lines: the event path
 * — hold, release, describe, emit — reads as one story; the kernel-side visibility is {@link MonitorVisibility},
 * the descriptions {@link MonitorLogs}, the throttle {@link AlertThrottle}.)
 */
@Singleton
public class SystemMonitor {
    public static final String OBJECT = "/bpf/monitor.bpf.o";
    static final String ENFORCER = "eBPF Monitor";
    /** How long events of an unknown container wait for it to register. */
    static final long HOLD_NANOS = 2_000_000_000L;
    static final int MAX_HELD = 4096;

    @Inject
    BulwarkConfig config;
    @Inject
    EndpointRegistry endpoints;
    @Inject
    RuleSetWriter writer;
    @Inject
    Telemetry telemetry;
    @Inject
    LiveSettings settings;
    /** The agent's messages: the application log, and KubeArmor Messages (telemetry publishes this category). */
    private static final Logger LOG = Logger.getLogger("bulwark.monitor");

    private final Map<KernelIdentity, RuleSet> ruleSets = new ConcurrentHashMap<>();
    private final Map<KernelIdentity, RuleMatcher> matchers = new ConcurrentHashMap<>();
    private final Deque<Held> held = new ArrayDeque<>();
    private final AtomicLong unattributed = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private AlertThrottle throttle = new AlertThrottle(Throttle.OFF);
    private final SuppressedAlerts suppressed = new SuppressedAlerts();
    private ProcessTree tree;
    /** Named in every record; looked up once (the host name is read from /proc). */
    private String hostName = "";
    private Bpf bpf;
    private MonitorMaps maps;
    /** The kernel's visibility maps; null while the monitor is not running. */
    private MonitorVisibility visibility;
    private RingBufferReader<MonitorEvent> reader;

    /** An event seen before its container was known, with what the tree said at the time. */
    private record Held(MonitorEvent event, ProcessInfo process, String parentExec, long deadline) {
    }

    /** Loads and attaches the programs; without them the agent runs on, and says why. */
    public synchronized void start() {
        tree = new ProcessTree(config.maxProcesses(), config.procfsPath());
        hostName = config.hostName();
        throttle = new AlertThrottle(settings.defaults().throttle());
        if (!config.enableSystemMonitor()) {
            LOG.info("System monitor disabled (bulwark.enableSystemMonitor=false)");
            return;
        }
        try {
            bpf = Bpf.load(Bpf.resource(OBJECT), null, List.of(), Map.of());
            maps = MonitorMaps.of(bpf);
            visibility = new MonitorVisibility(maps, writer.enforces());
            visibility.writeDefaults(settings.defaults().hostVisibility(), settings.defaults().visibility());
            endpoints.all().forEach(this::writeVisibility);
            reader = new RingBufferReader<>("monitor-events", maps.events(),
                    KernelLayout.offset(KernelLayout.MONITOR_EVENT, "timestamp"), MonitorEvent::read,
                    this::handle);
            LOG.info("System monitor started: container visibility " + settings.defaults().visibility()
                    + ", host visibility " + settings.defaults().hostVisibility());
        } catch (RuntimeException | LinkageError e) {
            if (bpf != null) {
                bpf.close();
                bpf = null;
            }
            visibility = null;
            LOG.error("System monitor unavailable (no logs, no monitor alerts): " + e.getMessage());
        }
    }

    /** Events that found the monitor's ring buffer full; 0 while the monitor is not running. */
    public synchronized long lostEvents() {
        return bpf == null ? 0 : Bpf.counter(maps.lostEvents(), 0, false);
    }

    /** Events the kernel held back by visibility, for this scope (KernelLayout.SCOPE_*) and rule class. */
    public synchronized long filtered(int scope, RuleSet.RuleClass ruleClass) {
        return bpf == null ? 0
                : Bpf.counter(maps.filteredEvents(), scope * KernelLayout.CLASS_COUNT + ruleClass.ordinal(), true);
    }

    /** The process tree: processes held now, and those evicted to stay within maxProcesses. */
    public ProcessTree processTree() {
        return tree;
    }

    /** The monitor programs' run time and count (bpf_stats), by program name; empty while not running. */
    public synchronized Map<String, Bpf.ProgramStats> programStats() {
        return bpf == null ? Map.of() : bpf.programStats();
    }

    /** How long the last event waited in the monitor's ring buffer, in ns; 0 while not running. */
    public synchronized long ringLagNanos() {
        return reader == null ? 0 : reader.lagNanos();
    }

    /** Monitor alerts dropped by the alert throttle (maxAlertPerSec, throttleSec). */
    public long throttled() {
        return throttled.get();
    }

    /** Events dropped because their container never became known. */
    public long unattributed() {
        return unattributed.get();
    }

    void onRuleSet(@Observes RuleSetChanged change) {
        KernelIdentity identity = change.endpoint().identity();
        if (change.ruleSet() == null) {
            ruleSets.remove(identity);
            matchers.remove(identity);
        } else {
            ruleSets.put(identity, change.ruleSet());
            matchers.put(identity, new RuleMatcher(change.ruleSet()));
        }
        writeVisibility(change.endpoint());
    }

    void onEndpoint(
            @Observes @Priority(EndpointRegistry.EndpointChanged.MONITOR) EndpointRegistry.EndpointChanged change) {
        if (change.removed()) {
            deleteVisibility(change.endpoint().identity());
            throttle.forget(change.endpoint().identity());
            suppressed.forget(change.endpoint().identity());
        } else {
            writeVisibility(change.endpoint());
            release(change.endpoint());
        }
    }

    // ---- kernel side: what the programs let through (MonitorVisibility) ----

    /** An endpoint sees its visible classes, plus what its rules need the monitor to see. */
    private synchronized void writeVisibility(Endpoint endpoint) {
        if (visibility != null) {
            visibility.write(endpoint, settings.visibility(endpoint), ruleSets.get(endpoint.identity()));
        }
    }

    private synchronized void deleteVisibility(KernelIdentity identity) {
        if (visibility != null) {
            visibility.delete(identity);
        }
    }

    /** The classes an endpoint's logs show: its namespace's visibility, else the global one. */
    Set<RuleClass> visible(Endpoint endpoint) {
        return MonitorVisibility.classes(settings.visibility(endpoint));
    }

    /** Visibility or throttling changed (ConfigMap, namespace annotation): the kernel and the throttle follow. */
    void onSettings(@Observes @Priority(LiveSettings.Changed.MONITOR) LiveSettings.Changed change) {
        synchronized (this) {
            // Endpoints keep their windows unless the limits themselves changed.
            if (!throttle.limits().equals(settings.defaults().throttle())) {
                throttle = new AlertThrottle(settings.defaults().throttle());
            }
            if (visibility == null) {
                return;
            }
            visibility.writeDefaults(settings.defaults().hostVisibility(), settings.defaults().visibility());
        }
        endpoints.all().forEach(this::writeVisibility);
    }

    // ---- user side: events to logs and alerts ----

    /** The ring-buffer reader's thread; also called directly by tests and benchmarks. */
    void handle(MonitorEvent event) {
        switch (event.kind()) {
            case KernelLayout.MONITOR_FORK -> tree.fork(event);
            case KernelLayout.MONITOR_EXIT -> tree.exit(event);
            case KernelLayout.MONITOR_EXEC -> {
                ProcessInfo process = tree.exec(event);
                if (event.visible()) {
                    observe(event, process);
                }
            }
            case KernelLayout.MONITOR_SYSCALL -> observe(event, tree.get(event.tgid()));
            default -> {
            }
        }
    }

    private void observe(MonitorEvent event, ProcessInfo process) {
        ProcessInfo parent = tree.get(event.ppid());
        String parentExec = parent == null ? "" : parent.execPath();
        Endpoint endpoint = endpoints.find(event.identity());
        if (endpoint != null) {
            emit(event, process, parentExec, endpoint);
            return;
        }
        synchronized (held) {
            long now = System.nanoTime();
            while (!held.isEmpty() && (held.peekFirst().deadline() < now || held.size() >= MAX_HELD)) {
                held.removeFirst();
                unattributed.incrementAndGet();
            }
            held.addLast(new Held(event, process, parentExec, now + HOLD_NANOS));
        }
    }

    /** A container registered: what it did before is attributed to it now. */
    private void release(Endpoint endpoint) {
        List<Held> mine = new ArrayList<>();
        synchronized (held) {
            held.removeIf(h -> h.event().identity().equals(endpoint.identity()) && mine.add(h));
        }
        mine.forEach(h -> emit(h.event(), h.process(), h.parentExec(), endpoint));
    }

    private void emit(MonitorEvent event, ProcessInfo process, String parentExec, Endpoint endpoint) {
        Description description = MonitorLogs.describe(event, process, tree);
        if (description == null) {
            return;
        }
        String processName = process != null && !process.execPath().isEmpty() ? process.execPath() : event.comm();
        boolean exec = event.kind() == KernelLayout.MONITOR_EXEC;
        String source = exec ? parentExec : process != null ? process.command() : processName;
        ProcessContext context = ProcessContext.of(config.cluster(), hostName, endpoint, event.ppid(),
                event.tgid(), event.nsPpid(), event.nsTgid(), event.uid(), parentExec, processName,
                cwd(process, event), event.tty(), execEvent(process));
        Instant now = Instant.now();
        if (visible(endpoint).contains(description.ruleClass())) {
            telemetry.log(new Log(now.getEpochSecond(), AgentLog.updatedTime(now), context,
                    endpoint.isHost() ? "HostLog" : "ContainerLog", source, description.operation(),
                    description.resource(), description.data(), description.result()));
        }
        RuleSet ruleSet = ruleSets.get(endpoint.identity());
        if (ruleSet != null) {
            String actor = exec ? parentExec : processName;
            for (MonitorAlerts.Matched alert : MonitorAlerts.alerts(event, description, ruleSet,
                    matchers.get(endpoint.identity()), actor, !writer.enforces())) {
                Throttle.Budget budget = Throttle.Budget.of(alert.policyName());
                Throttle limits = settings.defaults().throttle();
                long nanos = System.nanoTime();
                switch (throttle.admit(endpoint.identity(), budget, nanos)) {
                    case REPORT -> telemetry.alert(new Alert(now.getEpochSecond(), AgentLog.updatedTime(now), context,
                            alert.policyName(), alert.severity(), alert.tags(), alert.atags(), alert.message(),
                            alert.type(), source, alert.operation(), description.resource(), description.data(),
                            ENFORCER, alert.action(), description.result(), null, null));
                    case ANNOUNCE -> {
                        throttled.incrementAndGet();
                        suppressed.count(endpoint, alert.policyName(), 1);
                        suppressed.silenced(endpoint, nanos + TimeUnit.SECONDS.toNanos(limits.throttleSec()));
                        telemetry.alert(Alert.threshold(endpointContext(endpoint), endpoint.isHost(), ENFORCER,
                                budget.alerts(), limits.maxAlertsPerSec(), limits.throttleSec()));
                    }
                    case DROP -> {
                        throttled.incrementAndGet();
                        suppressed.count(endpoint, alert.policyName(), 1);
                    }
                }
            }
        }
        announceResumed();
    }

    /** Endpoints whose alerts resume, with what was dropped meanwhile (checked as events come). */
    private void announceResumed() {
        Throttle limits = settings.defaults().throttle();
        for (SuppressedAlerts.Summary summary : suppressed.ended(System.nanoTime())) {
            telemetry.alert(Alert.resumed(endpointContext(summary.endpoint()), summary.endpoint().isHost(), ENFORCER,
                    summary.byPolicy(), limits.maxAlertsPerSec(), limits.throttleSec()));
        }
    }

    private ProcessContext endpointContext(Endpoint endpoint) {
        return ProcessContext.of(config.cluster(), hostName, endpoint, 0, 0, 0, 0, 0, "", "", "", "", null);
    }

    /** The alerts its throttle dropped, by policy. */
    public SuppressedAlerts suppressed() {
        return suppressed;
    }

    private static String cwd(ProcessInfo process, MonitorEvent event) {
        String cwd = !event.cwd().isEmpty() ? event.cwd() : process == null ? "" : process.cwd();
        return cwd.isEmpty() || cwd.endsWith("/") ? cwd : cwd + "/";
    }

    private static ProcessContext.ExecEvent execEvent(ProcessInfo process) {
        return process == null || process.execSession().isEmpty() ? null
                : new ProcessContext.ExecEvent(process.execSession(), process.execPath());
    }

    @PreDestroy
    synchronized void close() {
        if (reader != null) {
            reader.close();
            reader = null;
        }
        visibility = null;
        if (bpf != null) {
            bpf.close();
            bpf = null;
        }
    }
}
