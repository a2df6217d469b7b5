package dev.bulwark.enforce;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.bpf.KernelHooks;
import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.bpf.RingBufferReader;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.settings.Throttle;
import dev.bulwark.telemetry.Alert;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Enforcement with BPF-LSM: loads and attaches the enforcer programs, writes each endpoint's rule set into
 * the kernel maps, and turns the ring buffer's events into alerts that name policy, severity and message
 * by the rule id each event carries.
 */
public class BpfEnforcer implements RuleSetWriter, AutoCloseable {
    public static final String OBJECT = "/bpf/enforcer.bpf.o";
    /** The policy selfProtection's alerts and file rules name. */
    public static final String SELF_PROTECTION_POLICY = "bulwark-self-protection";
    /**
     * Maps that outlive the agent when pinned: the rules in force with the secret they are hashed under, what
     * tasks inherited, and the count of lost events.
     */
    static final List<String> PINNED_MAPS = List.of("endpoint_rules", "endpoint_globs", "endpoint_modes",
            "pidns_owners", "hash_key",
            "task_identities", "loaded_programs", "lost_events");

    /**
     * Programs for LSM hooks not every kernel has (6.2 brought file_truncate and the ACL hooks; the xattr hooks
     * then no longer see ACLs), and variants for hooks whose arguments changed (inode_setattr took an idmap first
     * from 6.3): by program name, the hook and the number of arguments it must have (0: any).
     */
    record Variant(String program, String hook, int arguments) {
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("bulwark_file_truncate", "file_truncate", 0),
            new Variant("bulwark_inode_set_acl", "inode_set_acl", 0),
            new Variant("bulwark_inode_remove_acl", "inode_remove_acl", 0),
            new Variant("bulwark_inode_setattr", "inode_setattr", 2),
            new Variant("bulwark_inode_setattr_idmap", "inode_setattr", 3));

    /** The programs this kernel cannot run, by name. */
    static Set<String> leftOut() {
        Set<String> leftOut = new TreeSet<>();
        for (Variant variant : VARIANTS) {
            OptionalInt arguments = KernelHooks.arguments(variant.hook());
            if (arguments.isEmpty() || (variant.arguments() != 0 && arguments.getAsInt() != variant.arguments())) {
                leftOut.add(variant.program());
            }
        }
        return leftOut;
    }

    private final Bpf bpf;
    private final RuleMaps maps;
    private volatile Throttle throttle;
    private final RingBufferReader<KernelEvent> events;
    private final Map<KernelIdentity, RuleSet> current = new ConcurrentHashMap<>();
    /**
     * Rule sets of endpoints just removed: a decision the kernel made before the removal may still be in the ring
     * buffer, and its alert must name its policy all the same.
     */
    private final Map<KernelIdentity, Retired> retired = new ConcurrentHashMap<>();

    private record Retired(RuleSet ruleSet, long at) {
    }

    private static final long RETIRED_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    private final BiConsumer<RuleSet, List<String>> onApplied;
    private final SuppressedAlerts suppressed = new SuppressedAlerts();
    private final int suppressedFd;
    private final int lostEventsFd;
    /** What each suppressed_alerts entry held when last read (the kernel only adds): read by the tally thread. */
    private final Map<java.nio.ByteBuffer, Long> suppressedSeen = new java.util.HashMap<>();
    private final java.util.concurrent.ScheduledExecutorService tally;
    private final SelfProtection self;
    private final Set<String> leftOut;

    /**
     * @param pinDir where maps and links are pinned so that enforcement survives the agent (null: not pinned)
     * @param throttle how many alerts an endpoint may raise (kernel side; never weakens enforcement)
     * @param alerts receives one alert per kernel event
     * @param onApplied told, after each rule set is in the kernel, what of it could not be enforced as written
     */
    public BpfEnforcer(Path pinDir, Limits limits, Throttle throttle, String cluster, String hostName,
            Consumer<Alert> alerts, BiConsumer<RuleSet, List<String>> onApplied) {
        this(pinDir, limits, throttle, false, cluster, hostName, alerts, onApplied);
    }

    /** @param selfProtection whether only this process may use the enforcer's objects, signal or ptrace it */
    public BpfEnforcer(Path pinDir, Limits limits, Throttle throttle, boolean selfProtection, String cluster,
            String hostName, Consumer<Alert> alerts, BiConsumer<RuleSet, List<String>> onApplied) {
        this.onApplied = onApplied;
        this.leftOut = leftOut();
        this.bpf = Bpf.load(Bpf.resource(OBJECT), pinDir, PINNED_MAPS, Map.of("endpoint_rules", limits.maxEndpoints(),
                "endpoint_globs", limits.maxEndpoints(), "endpoint_modes", limits.maxEndpoints(), "pidns_owners", limits.maxEndpoints(),
                "throttle_state", limits.maxEndpoints()), leftOut);
        try {
            this.maps = new RuleMaps(bpf, limits.maxRulesPerEndpoint());
            maps.throttle(throttle);
            this.throttle = throttle;
            this.events = new RingBufferReader<>("bpf-lsm-events", bpf.mapFd("events"),
                    KernelLayout.offset(KernelLayout.EVENT, "timestamp"), KernelEvent::read, event -> {
                RuleSet ruleSet = current.get(event.identity());
                if (ruleSet == null) {
                    Retired retired = this.retired.get(event.identity());
                    ruleSet = retired == null ? null : retired.ruleSet();
                }
                if (ruleSet == null && event.decision() == KernelLayout.DECISION_SELF) {
                    ruleSet = current.get(KernelIdentity.HOST); // a process no endpoint governs: the host's
                }
                if (ruleSet != null) {
                    if (event.decision() == KernelLayout.DECISION_THRESHOLD) {
                        suppressed.silenced(ruleSet.endpoint(), System.nanoTime()
                                + java.util.concurrent.TimeUnit.SECONDS.toNanos(this.throttle.throttleSec()));
                    }
                    alerts.accept(KernelAlerts.alert(event, ruleSet, cluster, hostName, this.throttle));
                }
            });
            this.suppressedFd = bpf.mapFd("suppressed_alerts");
            this.lostEventsFd = bpf.mapFd("lost_events");
            this.self = new SelfProtection(bpf, selfProtection);
            this.tally = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "bpf-lsm-suppressed");
                thread.setDaemon(true);
                return thread;
            });
            tally.scheduleWithFixedDelay(() -> {
                renewLease();
                tally(alerts, cluster, hostName);
            }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            bpf.close();
            throw e;
        }
    }

    /**
     * Reads what the kernel's budgets held back since the last time into the counts by policy, announces each
     * endpoint whose silence ended, and drops the counters of endpoints that are gone.
     */
    private void tally(Consumer<Alert> alerts, String cluster, String hostName) {
        try {
            long keySize = KernelLayout.SUPPRESSED_KEY.byteSize();
            Map<java.nio.ByteBuffer, Long> now = Bpf.counters(suppressedFd, keySize);
            suppressedSeen.keySet().retainAll(now.keySet());
            now.forEach((key, value) -> {
                java.nio.ByteBuffer k = key.duplicate().order(java.nio.ByteOrder.nativeOrder());
                KernelIdentity identity = new KernelIdentity(Integer.toUnsignedLong(k.getInt(0)),
                        Integer.toUnsignedLong(k.getInt(4)));
                int rule = k.getInt(8);
                RuleSet ruleSet = current.get(identity);
                if (ruleSet == null) {
                    Retired gone = retired.get(identity);
                    ruleSet = gone == null ? null : gone.ruleSet();
                }
                if (ruleSet == null) { // gone for good: a later endpoint may reuse its namespace inodes
                    try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                        Bpf.delete(suppressedFd, arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE,
                                key.array()));
                    }
                    suppressedSeen.remove(key);
                    return;
                }
                long before = suppressedSeen.getOrDefault(key, 0L);
                suppressedSeen.put(key, value);
                RuleSet.RuleInfo info = rule == 0 ? null : ruleSet.rule(rule);
                suppressed.count(ruleSet.endpoint(), info == null ? SuppressedAlerts.POSTURE : info.policyName(),
                        value >= before ? value - before : value);
            });
            for (SuppressedAlerts.Summary summary : suppressed.ended(System.nanoTime())) {
                alerts.accept(KernelAlerts.resumed(summary, cluster, hostName, throttle));
            }
        } catch (RuntimeException e) {
            // Counting must never stop: the next round reads again.
        }
    }

    private void renewLease() {
        try {
            self.renew();
        } catch (RuntimeException e) {
            // the next second tries again; the lease outlasts a few failures
        }
    }

    /** The ids of the enforcer's maps, programs and links. */
    List<Bpf.ObjectId> objectIds() {
        return bpf.objectIds();
    }

    /** selfProtection on or off from now on. */
    public void selfProtection(boolean on) {
        self.enable(on);
    }

    @Override
    public SuppressedAlerts suppressed() {
        return suppressed;
    }

    /** Map sizes: how many endpoints the kernel holds rules for, and how many entries each may have. */
    public record Limits(int maxEndpoints, int maxRulesPerEndpoint) {
    }

    @Override
    public void apply(RuleSet ruleSet) {
        // Alerts decode with the newest table from the moment its rules can fire.
        RuleSet previous = current.put(ruleSet.endpoint().identity(), ruleSet);
        retired.remove(ruleSet.endpoint().identity());
        try {
            onApplied.accept(ruleSet, maps.write(ruleSet));
        } catch (RuntimeException e) {
            if (previous != null) {
                current.put(ruleSet.endpoint().identity(), previous);
            } else {
                current.remove(ruleSet.endpoint().identity());
            }
            throw e;
        }
    }

    @Override
    public void remove(Endpoint endpoint) {
        maps.remove(endpoint.identity());
        long now = System.nanoTime();
        retired.values().removeIf(r -> now - r.at() > RETIRED_NANOS);
        // Retired before it leaves the current ones: the reader, looking in both, always finds it.
        RuleSet last = current.get(endpoint.identity());
        if (last != null) {
            retired.put(endpoint.identity(), new Retired(last, now));
        }
        current.remove(endpoint.identity());
    }

    @Override
    public void throttle(Throttle updated) {
        if (!updated.equals(throttle)) {
            maps.throttle(updated);
            throttle = updated;
        }
    }

    @Override
    public Map<String, Bpf.ProgramStats> programStats() {
        return bpf.programStats();
    }

    @Override
    public long ringLagNanos() {
        return events.lagNanos();
    }

    @Override
    public long lostEvents() {
        return Bpf.counter(lostEventsFd, 0, false);
    }

    @Override
    public boolean enforces() {
        return true;
    }

    @Override
    public String describe() {
        return "BPF-LSM";
    }

    /** The programs left out on this kernel (hooks it lacks, variants for other kernels). */
    public Set<String> programsLeftOut() {
        return leftOut;
    }

    @Override
    public void close() {
        tally.shutdownNow();
        self.release();
        events.close();
        bpf.close();
    }
}
