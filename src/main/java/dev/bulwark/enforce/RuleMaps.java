package dev.bulwark.enforce;

import static dev.bulwark.bpf.KernelLayout.ENDPOINT_MODES;
import static dev.bulwark.bpf.KernelLayout.RULE_KEY;
import static dev.bulwark.bpf.KernelLayout.RULE_VALUE;
import static dev.bulwark.bpf.KernelLayout.offset;

import dev.bulwark.bpf.Bpf;
import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.bpf.KernelNames;
import dev.bulwark.bpf.libbpf.Libbpf;
import dev.bulwark.compile.GlobAutomaton;
import dev.bulwark.compile.RuleSet.Context;
import dev.bulwark.compile.RuleSet.Entry;
import dev.bulwark.compile.RuleSet.Match;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.Slot;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Throttle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes rule sets into the enforcer's maps. An endpoint's rules go into a fresh inner map that then replaces
 * the old one in a single update of the outer map, so the kernel sees either the old rules or the new ones.
 * Each key's value says, per action and per operation context, which rule holds (RuleSet.Entry#holder): the
 * kernel only reads the context's slot. A container's pid namespace is written too, so that a task that leaves
 * the container's other namespaces stays under its rules. What the kernel cannot check yet is written
 * fail-closed and reported. (Past 300 lines: the one writer of every rule map's layout, kept whole so that
 * a struct's fields are written in one place.)
 */
final class RuleMaps {
    /** What the kernel programs match today. */
    private static final Set<Match> PATH_MATCHES = EnumSet.of(Match.PATH, Match.EXEC_NAME, Match.DIRECTORY,
            Match.DIRECTORY_RECURSIVE, Match.GLOB, Match.GLOB_RECURSIVE, Match.ANCESTOR);

    private final Bpf bpf;
    private final int endpointRulesFd;
    private final int endpointGlobsFd;
    private final int endpointModesFd;
    private final int pidnsOwnersFd;
    private final int throttleStateFd;
    private final int throttleConfigFd;
    private final int maxRulesPerEndpoint;
    private final KeyedHash hash;
    /** The registered endpoints of each container pid namespace (more than one: a pod sharing its namespace). */
    private final Map<Long, Set<KernelIdentity>> pidNamespaces = new HashMap<>();

    RuleMaps(Bpf bpf, int maxRulesPerEndpoint) {
        this.bpf = bpf;
        this.endpointRulesFd = bpf.mapFd("endpoint_rules");
        this.endpointGlobsFd = bpf.mapFd("endpoint_globs");
        this.endpointModesFd = bpf.mapFd("endpoint_modes");
        this.pidnsOwnersFd = bpf.mapFd("pidns_owners");
        this.throttleStateFd = bpf.mapFd("throttle_state");
        this.throttleConfigFd = bpf.mapFd("throttle_config");
        this.maxRulesPerEndpoint = maxRulesPerEndpoint;
        this.hash = hashKey(bpf.mapFd("hash_key"));
    }

    /**
     * The secret of the key hashes: drawn once per boot and kept in the (pinned) hash_key map, so that a restarted
     * agent hashes as the rules in force were hashed.
     */
    private static KeyedHash hashKey(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment key = arena.allocate(KernelLayout.HASH_KEY);
            long k0 = 0;
            long k1 = 0;
            if (Libbpf.bpf_map_lookup_elem(fd, zero, key) == 0) {
                k0 = key.get(ValueLayout.JAVA_LONG, offset(KernelLayout.HASH_KEY, "k0"));
                k1 = key.get(ValueLayout.JAVA_LONG, offset(KernelLayout.HASH_KEY, "k1"));
            }
            if (k0 == 0 && k1 == 0) {
                SecureRandom random = new SecureRandom();
                k0 = random.nextLong();
                k1 = random.nextLong();
                key.set(ValueLayout.JAVA_LONG, offset(KernelLayout.HASH_KEY, "k0"), k0);
                key.set(ValueLayout.JAVA_LONG, offset(KernelLayout.HASH_KEY, "k1"), k1);
                Bpf.update(fd, zero, key, "the hash key");
            }
            return new KeyedHash(k0, k1);
        }
    }

    /** Whether the rule is selfProtection's: it holds only while the agent lives (BW_RULE_SELF). */
    private static boolean selfProtection(RuleSet ruleSet, int rule) {
        RuleSet.RuleInfo info = ruleSet.rule(rule);
        return info != null && BpfEnforcer.SELF_PROTECTION_POLICY.equals(info.policyName());
    }

    /** Replaces the endpoint's rules; returns what could not be enforced as written. */
    List<String> write(RuleSet ruleSet) {
        List<String> notes = new ArrayList<>();
        List<Entry> entries = kernelEntries(ruleSet);
        long keys = entries.size() + entries.stream().mapToLong(e -> argsLists(e).size()).sum();
        if (keys > maxRulesPerEndpoint) {
            throw new IllegalStateException("the rule set has " + keys + " kernel entries, more than"
                    + " bulwark.maxRulesPerEndpoint (" + maxRulesPerEndpoint + "); its rules were not changed");
        }
        int inner = bpf.createLike("rules_template", Math.max(1, maxRulesPerEndpoint));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(RULE_KEY);
            MemorySegment value = arena.allocate(RULE_VALUE);
            for (Entry entry : entries) {
                if (!supported(entry.key())) {
                    notes.add(describe(entry) + ": not enforced in the kernel yet");
                    continue;
                }
                long target = target(entry.key());
                key(key, entry.key(), target, entry.key().match());
                value.fill((byte) 0);
                for (Action action : Action.values()) {
                    for (Context context : Context.ALL) {
                        Slot holder = entry.holder(action, context);
                        if (holder == null) {
                            continue;
                        }
                        if (action != Action.Allow && !holder.args().isEmpty()) {
                            notes.add(describe(entry) + ": allowedArgs are not checked in the kernel for " + action
                                    + " rules; the rule applies to every exec (fail closed)");
                        }
                        int rule = holder.rule() | (action == Action.Allow && !holder.args().isEmpty()
                                ? KernelLayout.RULE_ARGS : 0) | (action == Action.Block && selfProtection(ruleSet,
                                holder.rule()) ? KernelLayout.RULE_SELF : 0);
                        value.setAtIndex(ValueLayout.JAVA_INT, slot(action, context), rule);
                    }
                }
                Bpf.update(inner, key, value, "the rule map entry of " + describe(entry));
                // An Allow's exact arguments: a key of their own, which the kernel looks up when the rule says so.
                for (List<String> args : argsLists(entry)) {
                    if (args.stream().anyMatch(a -> a.getBytes(StandardCharsets.UTF_8).length >= KernelLayout.ARG_MAX)) {
                        notes.add(describe(entry) + ": an allowed argument of " + KernelLayout.ARG_MAX
                                + " bytes or more never matches (fail closed)");
                    }
                    key(key, entry.key(), KeyedHash.mix(target, hash.args(args)), Match.ARGS);
                    value.fill((byte) 0);
                    for (Context context : Context.ALL) {
                        entry.allow().stream().filter(slot -> slot.args().equals(args))
                                .filter(slot -> slot.holds(Action.Allow, context)).findFirst()
                                .ifPresent(slot -> value.setAtIndex(ValueLayout.JAVA_INT,
                                        slot(Action.Allow, context), slot.rule()));
                    }
                    Bpf.update(inner, key, value, "the allowedArgs entry of " + describe(entry));
                }
            }
            MemorySegment endpoint = KernelLayout.endpointKey(arena, ruleSet.endpoint().identity());
            writeGlobs(arena, endpoint, ruleSet);
            MemorySegment innerFd = arena.allocate(ValueLayout.JAVA_INT);
            innerFd.set(ValueLayout.JAVA_INT, 0, inner);
            Bpf.update(endpointRulesFd, endpoint, innerFd, "the endpoint's rule map");
            Bpf.update(endpointModesFd, endpoint, modes(arena, ruleSet, entries, notes), "the endpoint's modes");
            if (!ruleSet.endpoint().isHost()) {
                own(ruleSet.endpoint().identity());
            }
        } finally {
            Bpf.closeFd(inner); // the outer map holds its own reference
        }
        return notes;
    }

    /**
     * The endpoint's glob automaton: a fresh map of its own size that replaces the old one in one update (none:
     * the endpoint's entry goes). selfProtection's Blocks carry BW_RULE_SELF, as in the rule map.
     */
    private void writeGlobs(Arena arena, MemorySegment endpoint, RuleSet ruleSet) {
        GlobAutomaton globs = ruleSet.globs();
        if (globs.isEmpty()) {
            Bpf.delete(endpointGlobsFd, endpoint);
            return;
        }
        int inner = bpf.createLike("globs_template", "bw_globs", KernelLayout.GLOB_KEY_SIZE, KernelLayout.GLOB_VALUE_SIZE,
                Math.max(1, globs.kernelEntries()));
        try {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            globs.kernel().forEach((k, v) -> {
                key.set(ValueLayout.JAVA_INT, 0, k);
                value.set(ValueLayout.JAVA_INT, 0, v | (GlobAutomaton.blockRule(k) && selfProtection(ruleSet, v)
                        ? KernelLayout.RULE_SELF : 0));
                Bpf.update(inner, key, value, "the glob automaton's entry " + k);
            });
            MemorySegment innerFd = arena.allocate(ValueLayout.JAVA_INT);
            innerFd.set(ValueLayout.JAVA_INT, 0, inner);
            Bpf.update(endpointGlobsFd, endpoint, innerFd, "the endpoint's glob automaton");
        } finally {
            Bpf.closeFd(inner);
        }
    }

    /** The index of (action, context) in a rule_value, in ints. */
    private static long slot(Action action, Context context) {
        String field = switch (action) {
            case Allow -> "allow";
            case Audit -> "audit";
            case Block -> "block";
        };
        return offset(RULE_VALUE, field) / 4 + context.index();
    }

    private void key(MemorySegment key, RuleSet.Key ruleKey, long target, Match match) {
        key.fill((byte) 0);
        key.set(ValueLayout.JAVA_LONG, offset(RULE_KEY, "target"), target);
        key.set(ValueLayout.JAVA_LONG, offset(RULE_KEY, "source"),
                ruleKey.source().isEmpty() ? 0 : hash.hash(ruleKey.source()));
        key.set(ValueLayout.JAVA_INT, offset(RULE_KEY, "rule_class"), ruleKey.ruleClass().ordinal());
        key.set(ValueLayout.JAVA_INT, offset(RULE_KEY, "match"), match.ordinal());
    }

    /** The distinct argument lists of an entry's Allow rules narrowed by allowedArgs. */
    private static List<List<String>> argsLists(Entry entry) {
        return entry.allow().stream().map(Slot::args).filter(args -> !args.isEmpty()).distinct().toList();
    }

    /**
     * Records a container endpoint as its pid namespace's owner (or, when another endpoint shares it, marks it
     * ambiguous: the task's inherited identity decides there).
     */
    private synchronized void own(KernelIdentity identity) {
        Set<KernelIdentity> sharing = pidNamespaces.computeIfAbsent(identity.pidNs(), ns -> new HashSet<>());
        sharing.add(identity);
        writeOwner(identity.pidNs(), sharing);
    }

    private void writeOwner(long pidNs, Set<KernelIdentity> sharing) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            key.set(ValueLayout.JAVA_INT, 0, (int) pidNs);
            if (sharing.isEmpty()) {
                Bpf.delete(pidnsOwnersFd, key);
                return;
            }
            MemorySegment owner = arena.allocate(KernelLayout.PIDNS_OWNER);
            KernelIdentity first = sharing.iterator().next();
            MemorySegment ep = KernelLayout.endpointKey(arena, first);
            owner.asSlice(offset(KernelLayout.PIDNS_OWNER, "ep"), ep.byteSize()).copyFrom(ep);
            owner.set(ValueLayout.JAVA_INT, offset(KernelLayout.PIDNS_OWNER, "ambiguous"), sharing.size() > 1 ? 1 : 0);
            Bpf.update(pidnsOwnersFd, key, owner, "the owner of pid namespace " + pidNs);
        }
    }

    /** Kubernetes' DNS search suffixes a container's resolver appends, in the order it tries them. */
    static List<String> searchSuffixes(String namespace) {
        return List.of("." + namespace + ".svc.cluster.local", ".svc.cluster.local", ".cluster.local");
    }

    /**
     * The entries as the kernel gets them: a container's DNS rules also hold for the names its resolver makes
     * of the domain with Kubernetes' search suffixes ("google.com.shop.svc.cluster.local"), written first so that
     * an explicit rule for such a name takes precedence.
     */
    static List<Entry> kernelEntries(RuleSet ruleSet) {
        Endpoint endpoint = ruleSet.endpoint();
        if (endpoint.isHost() || endpoint.namespace() == null) {
            return ruleSet.entries();
        }
        List<Entry> entries = new ArrayList<>();
        for (Entry entry : ruleSet.entries()) {
            RuleSet.Key key = entry.key();
            if (key.match() == Match.DOMAIN) {
                for (String suffix : searchSuffixes(endpoint.namespace())) {
                    entries.add(new Entry(new RuleSet.Key(key.ruleClass(), key.match(), key.target() + suffix,
                            key.source()), entry.allow(), entry.audit(), entry.block()));
                }
            }
        }
        entries.addAll(ruleSet.entries());
        return entries;
    }

    void throttle(Throttle throttle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment zero = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment config = arena.allocate(KernelLayout.THROTTLE_CONFIG);
            config.set(ValueLayout.JAVA_INT, offset(KernelLayout.THROTTLE_CONFIG, "max_alerts_per_sec"),
                    throttle.maxAlertsPerSec());
            config.set(ValueLayout.JAVA_LONG, offset(KernelLayout.THROTTLE_CONFIG, "throttle_ns"),
                    throttle.throttleSec() * 1_000_000_000L);
            Bpf.update(throttleConfigFd, zero, config, "the alert throttle");
        }
    }

    void remove(KernelIdentity identity) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment endpoint = KernelLayout.endpointKey(arena, identity);
            Bpf.delete(endpointModesFd, endpoint);
            Bpf.delete(endpointRulesFd, endpoint);
            Bpf.delete(endpointGlobsFd, endpoint);
            // The kernel reuses namespace inodes: a later endpoint with this identity starts with a fresh window.
            Bpf.delete(throttleStateFd, endpoint);
        }
        synchronized (this) {
            Set<KernelIdentity> sharing = pidNamespaces.get(identity.pidNs());
            if (sharing != null && sharing.remove(identity)) {
                writeOwner(identity.pidNs(), sharing);
                if (sharing.isEmpty()) {
                    pidNamespaces.remove(identity.pidNs());
                }
            }
        }
    }

    private static MemorySegment modes(Arena arena, RuleSet ruleSet, List<Entry> entries, List<String> notes) {
        MemorySegment modes = arena.allocate(ENDPOINT_MODES);
        for (RuleSet.PresetEntry preset : ruleSet.presets()) {
            int slot = KernelLayout.PRESETS.indexOf(preset.preset());
            if (slot < 0 || preset.action() == Action.Allow) {
                notes.add("preset " + preset.preset() + " (" + preset.action() + "): not enforced in the kernel yet");
                continue;
            }
            String field = preset.action() == Action.Block ? "preset_block" : "preset_audit";
            // A Block and an Audit of the same preset: the Block decides, the Audit's id is kept for its reports.
            modes.set(ValueLayout.JAVA_INT, offset(ENDPOINT_MODES, field) + 4L * slot, preset.rule());
        }
        for (RuleClass ruleClass : RuleClass.values()) {
            RuleSet.Mode mode = ruleSet.modes().get(ruleClass);
            modes.set(ValueLayout.JAVA_BYTE, offset(ENDPOINT_MODES, "whitelist") + ruleClass.ordinal(),
                    (byte) (mode.whitelist() ? 1 : 0));
            modes.set(ValueLayout.JAVA_BYTE, offset(ENDPOINT_MODES, "posture_block") + ruleClass.ordinal(),
                    (byte) (mode.posture() == Posture.block ? 1 : 0));
            // Directories above protected paths are not rules of their own: they do not make nameless files denied.
            boolean hasBlock = entries.stream().anyMatch(e -> e.key().ruleClass() == ruleClass
                    && e.key().match() != Match.ANCESTOR && !e.block().isEmpty())
                    || ruleSet.globs().patterns().stream().anyMatch(p -> p.ruleClass() == ruleClass
                    && p.action() == Action.Block);
            modes.set(ValueLayout.JAVA_BYTE, offset(ENDPOINT_MODES, "has_block") + ruleClass.ordinal(),
                    (byte) (hasBlock ? 1 : 0));
            boolean hasSource = entries.stream()
                    .anyMatch(e -> e.key().ruleClass() == ruleClass && !e.key().source().isEmpty());
            modes.set(ValueLayout.JAVA_BYTE, offset(ENDPOINT_MODES, "has_source") + ruleClass.ordinal(),
                    (byte) (hasSource ? 1 : 0));
        }
        modes.set(ValueLayout.JAVA_INT, offset(ENDPOINT_MODES, "guard_rule"), ruleSet.guard());
        return modes;
    }

    private static boolean supported(RuleSet.Key key) {
        return switch (key.ruleClass()) {
            case PROCESS, FILE -> PATH_MATCHES.contains(key.match());
            case NETWORK -> key.match() == Match.PROTOCOL;
            case CAPABILITIES -> key.match() == Match.CAPABILITY && KernelNames.capability(key.target()) >= 0;
            case DNS -> key.match() == Match.DOMAIN;
        };
    }

    /** A key's target as the kernel looks it up: a path's hash, or a socket's or capability's number. */
    long target(RuleSet.Key key) {
        return switch (key.match()) {
            case PROTOCOL -> KernelNames.protocolKey(key.target());
            case CAPABILITY -> KernelNames.capability(key.target());
            // backwards, so the kernel meets every parent domain in one pass from the end of a name
            case DOMAIN -> hash.hash(new StringBuilder(key.target()).reverse().toString());
            // "/dir/*.ext", "/dir/**/*.ext": the directory's hash mixed with the extension's, as the kernel mixes them
            case GLOB, GLOB_RECURSIVE -> {
                String marker = key.match() == Match.GLOB ? "*" : "**/*";
                int at = key.target().lastIndexOf(marker);
                yield KeyedHash.mix(hash.hash(key.target().substring(0, at)),
                        hash.hash(key.target().substring(at + marker.length())));
            }
            default -> hash.hash(key.target());
        };
    }

    private static String describe(Entry entry) {
        return entry.key().ruleClass() + " " + entry.key().match() + " " + entry.key().target()
                + (entry.key().source().isEmpty() ? "" : " from " + entry.key().source());
    }
}
