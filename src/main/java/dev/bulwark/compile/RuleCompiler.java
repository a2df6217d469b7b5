package dev.bulwark.compile;

import dev.bulwark.compile.RuleSet.Entry;
import dev.bulwark.compile.RuleSet.Flag;
import dev.bulwark.compile.RuleSet.Key;
import dev.bulwark.compile.RuleSet.Match;
import dev.bulwark.compile.RuleSet.Mode;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.RuleInfo;
import dev.bulwark.compile.RuleSet.Slot;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.CapabilityBlock;
import dev.bulwark.policy.FileRules;
import dev.bulwark.policy.KubeArmorHostPolicySpec;
import dev.bulwark.policy.NetworkBlock;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicySpec;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.Glob;
import dev.bulwark.policy.PresetRule;
import dev.bulwark.policy.ProcessRules;
import dev.bulwark.policy.RuleMeta;
import dev.bulwark.policy.Source;
import dev.bulwark.policy.Syscall;
import dev.bulwark.policy.SyscallRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the policies that apply to one endpoint into its {@link RuleSet}. Here KubeArmor's normalisation
 * happens: a spec without action blocks, each rule inherits severity, tags, message and action from its block
 * and then from the spec, comma lists of protocols and capabilities become one key each, and syscall rules
 * are always Audit. Output is deterministic: policies in (kind, name) order, rule ids from 1 in that order.
 */
public final class RuleCompiler {

    /** Default postures of the endpoint (global config, or namespace annotations in Kubernetes). */
    public record Postures(Posture file, Posture network, Posture capabilities) {
        public static final Postures AUDIT = new Postures(Posture.audit, Posture.audit, Posture.audit);
    }

    public record Options(Postures postures, boolean matchArgs) {
    }

    private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::ruleClass)
            .thenComparing(Key::match).thenComparing(Key::target).thenComparing(Key::source);
    private static final Comparator<Policy> POLICY_ORDER =
            Comparator.comparing(Policy::kind).thenComparing(Policy::qualifiedName);

    private final Options options;
    private final List<RuleInfo> rules = new ArrayList<>();
    private final Map<Key, Slot[]> slots = new TreeMap<>(KEY_ORDER);
    private final List<RuleSet.PresetEntry> presets = new ArrayList<>();
    private final List<RuleSet.SyscallMatcher> syscalls = new ArrayList<>();
    private final List<String> notEnforced = new ArrayList<>();

    private RuleCompiler(Options options) {
        this.options = options;
    }

    public static RuleSet compile(Endpoint endpoint, List<Policy> applicable, Options options) {
        RuleCompiler compiler = new RuleCompiler(options);
        applicable.stream().sorted(POLICY_ORDER).forEach(compiler::add);
        return compiler.build(endpoint);
    }

    /** The attributes a rule ends up with after inheritance. */
    private record Meta(Integer severity, List<String> tags, String message, Action action) {
        Meta under(RuleMeta child) {
            return child == null ? this : under(child.severity(), child.tags(), child.message(), child.action());
        }

        Meta under(Integer severity, List<String> tags, String message, String action) {
            Action parsed = Action.parse(action);
            return new Meta(severity != null ? severity : this.severity,
                    tags != null && !tags.isEmpty() ? tags : this.tags,
                    message != null && !message.isEmpty() ? message : this.message,
                    parsed != null ? parsed : this.action);
        }
    }

    /** The policy being compiled, so that each rule can name it. */
    private Policy policy;

    private void add(Policy policy) {
        this.policy = policy;
        PolicySpec spec = policy.spec();
        Meta specMeta = new Meta(null, List.of(), null, Action.Block).under(spec);
        process(spec.process(), specMeta);
        file(spec.file(), specMeta);
        network(spec.network(), specMeta);
        capabilities(spec.capabilities(), specMeta);
        syscalls(spec.syscalls(), specMeta);
        if (spec.presets() != null) {
            for (int i = 0; i < spec.presets().size(); i++) {
                PresetRule preset = spec.presets().get(i);
                Meta meta = specMeta.under(null, null, null, preset.action());
                presets.add(new RuleSet.PresetEntry(preset.name(), meta.action(),
                        rule("spec.presets[" + i + "]", meta)));
            }
        }
        if (spec.apparmor() != null && !spec.apparmor().isBlank()) {
            notEnforced.add(policy.qualifiedName() + ": spec.apparmor: AppArmor profiles are not enforced"
                    + " by the BPF-LSM enforcer");
        }
        if (spec instanceof KubeArmorHostPolicySpec host && host.device() != null) {
            notEnforced.add(policy.qualifiedName() + ": spec.device: USB device rules are validated but not"
                    + " enforced yet");
        }
    }

    private void process(ProcessRules block, Meta specMeta) {
        if (block == null) {
            return;
        }
        Meta meta = specMeta.under(block);
        each(block.matchPaths(), "spec.process.matchPaths", (rule, field) -> {
            boolean byName = rule.path() == null;
            List<String> args = rule.allowedArgs() == null ? List.of() : rule.allowedArgs();
            if (!args.isEmpty() && !options.matchArgs()) {
                notEnforced.add(policy.qualifiedName() + ": " + field + ".allowedArgs: ignored, matchArgs is off");
                args = List.of();
            }
            put(RuleClass.PROCESS, byName ? Match.EXEC_NAME : Match.PATH,
                    byName ? rule.execname() : path(rule.path()), rule.fromSource(),
                    rule(field, meta.under(rule)), flags(rule.ownerOnly(), false, rule.pts()), args);
        });
        each(block.matchDirectories(), "spec.process.matchDirectories", (rule, field) ->
                put(RuleClass.PROCESS, directory(rule.recursive()), path(rule.dir()), rule.fromSource(),
                        rule(field, meta.under(rule)), flags(rule.ownerOnly(), false, rule.pts()), List.of()));
        each(block.matchPatterns(), "spec.process.matchPatterns", (rule, field) ->
                glob(RuleClass.PROCESS, rule.pattern(), rule(field, meta.under(rule)),
                        flags(rule.ownerOnly(), false, false)));
    }

    private void file(FileRules block, Meta specMeta) {
        if (block == null) {
            return;
        }
        Meta meta = specMeta.under(block);
        each(block.matchPaths(), "spec.file.matchPaths", (rule, field) ->
                put(RuleClass.FILE, Match.PATH, path(rule.path()), rule.fromSource(),
                        rule(field, meta.under(rule)), flags(rule.ownerOnly(), rule.readOnly(), false), List.of()));
        each(block.matchDirectories(), "spec.file.matchDirectories", (rule, field) ->
                put(RuleClass.FILE, directory(rule.recursive()), path(rule.dir()), rule.fromSource(),
                        rule(field, meta.under(rule)), flags(rule.ownerOnly(), rule.readOnly(), false), List.of()));
        each(block.matchPatterns(), "spec.file.matchPatterns", (rule, field) ->
                glob(RuleClass.FILE, rule.pattern(), rule(field, meta.under(rule)),
                        flags(rule.ownerOnly(), rule.readOnly(), false)));
    }

    private void network(NetworkBlock block, Meta specMeta) {
        if (block == null) {
            return;
        }
        Meta meta = specMeta.under(block);
        each(block.protocols(), "spec.network.matchProtocols", (rule, field) -> {
            int id = rule(field, meta.under(rule));
            for (String protocol : commaList(rule.protocol())) {
                put(RuleClass.NETWORK, Match.PROTOCOL, protocol.toLowerCase(Locale.ROOT), rule.fromSource(), id,
                        Set.of(), List.of());
            }
        });
        each(block.matchDNSQueries(), "spec.network.matchDNSQueries", (rule, field) -> {
            String domain = rule.domain().toLowerCase(Locale.ROOT);
            domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
            put(RuleClass.DNS, Match.DOMAIN, domain, rule.fromSource(), rule(field, meta.under(rule)), Set.of(),
                    List.of());
        });
    }

    private void capabilities(CapabilityBlock block, Meta specMeta) {
        if (block == null) {
            return;
        }
        Meta meta = specMeta.under(block);
        each(block.capabilities(), "spec.capabilities.matchCapabilities", (rule, field) -> {
            int id = rule(field, meta.under(rule));
            for (String capability : commaList(rule.capability())) {
                String upper = capability.toUpperCase(Locale.ROOT);
                put(RuleClass.CAPABILITIES, Match.CAPABILITY, upper.startsWith("CAP_") ? upper : "CAP_" + upper,
                        rule.fromSource(), id, Set.of(), List.of());
            }
        });
    }

    private void syscalls(SyscallRules block, Meta specMeta) {
        if (block == null) {
            return;
        }
        Meta meta = specMeta.under(block.severity(), block.tags(), block.message(), null);
        each(block.matchSyscalls(), "spec.syscalls.matchSyscalls", (rule, field) ->
                syscalls.add(new RuleSet.SyscallMatcher(syscallRule(field, meta, rule.severity(), rule.tags(),
                        rule.message()), names(rule.syscall()), null, false, orEmpty(rule.fromSource()))));
        each(block.matchPaths(), "spec.syscalls.matchPaths", (rule, field) ->
                syscalls.add(new RuleSet.SyscallMatcher(syscallRule(field, meta, rule.severity(), rule.tags(),
                        rule.message()), names(rule.syscall()), path(rule.path()),
                        Boolean.TRUE.equals(rule.recursive()), orEmpty(rule.fromSource()))));
    }

    private int syscallRule(String field, Meta block, Integer severity, List<String> tags, String message) {
        Meta meta = block.under(severity, tags, message, null);
        return rule(field, new Meta(meta.severity(), meta.tags(), meta.message(), Action.Audit));
    }

    private int rule(String field, Meta meta) {
        int id = rules.size() + 1;
        rules.add(new RuleInfo(id, policy.kind(), policy.qualifiedName(), field, meta.severity(), meta.tags(),
                meta.message(), meta.action()));
        return id;
    }

    /** One key per source (or one for "any source"); two rules on a key and action: fewer conditions win. */
    /**
     * A `matchPatterns` glob as the key the kernel looks up: a path, a directory (the files in it, or the tree),
     * or an extension in a directory (GLOB, target "/dir/*.ext") or under it (GLOB_RECURSIVE, "/dir/**&#47;*.ext").
     * The validator has turned away every other form.
     */
    private void glob(RuleClass ruleClass, String pattern, int rule, Set<Flag> flags) {
        Glob glob = Glob.parse(path(pattern));
        switch (glob.form()) {
            case PATH -> put(ruleClass, Match.PATH, glob.directory(), null, rule, flags, List.of());
            case FILES_IN -> put(ruleClass, Match.DIRECTORY, glob.directory(), null, rule, flags, List.of());
            case TREE -> put(ruleClass, Match.DIRECTORY_RECURSIVE, glob.directory(), null, rule, flags, List.of());
            case EXTENSION_IN -> put(ruleClass, Match.GLOB, glob.directory() + "*" + glob.extension(), null, rule,
                    flags, List.of());
            case EXTENSION_UNDER -> put(ruleClass, Match.GLOB_RECURSIVE, glob.directory() + "**/*" + glob.extension(),
                    null, rule, flags, List.of());
        }
    }

    private void put(RuleClass ruleClass, Match match, String target, List<Source> fromSource, int rule,
            Set<Flag> flags, List<String> args) {
        List<String> sources = fromSource == null || fromSource.isEmpty()
                ? List.of("")
                : fromSource.stream().map(s -> path(s.path())).toList();
        Slot slot = new Slot(rule, flags, args);
        int action = rules.get(rule - 1).action().ordinal();
        for (String source : sources) {
            Slot[] held = slots.computeIfAbsent(new Key(ruleClass, match, target, source), k -> new Slot[3]);
            if (held[action] == null || slot.conditions() < held[action].conditions()) {
                held[action] = slot;
            }
        }
    }

    private RuleSet build(Endpoint endpoint) {
        List<Entry> entries = slots.entrySet().stream()
                .map(e -> new Entry(e.getKey(), e.getValue()[Action.Allow.ordinal()],
                        e.getValue()[Action.Audit.ordinal()], e.getValue()[Action.Block.ordinal()]))
                .toList();
        Postures postures = options.postures();
        Map<RuleClass, Mode> modes = new EnumMap<>(RuleClass.class);
        for (RuleClass ruleClass : RuleClass.values()) {
            Posture posture = switch (ruleClass) {
                case PROCESS, FILE -> postures.file();
                case NETWORK, DNS -> postures.network();
                case CAPABILITIES -> postures.capabilities();
            };
            boolean whitelist = entries.stream().anyMatch(e -> e.key().ruleClass() == ruleClass && e.allow() != null);
            modes.put(ruleClass, new Mode(whitelist, posture));
        }
        return new RuleSet(endpoint, modes, entries, List.copyOf(presets), List.copyOf(syscalls), List.copyOf(rules),
                List.copyOf(notEnforced));
    }

    private interface RuleVisitor<T> {
        void visit(T rule, String field);
    }

    private static <T> void each(List<? extends T> rules, String field, RuleVisitor<T> visitor) {
        if (rules != null) {
            for (int i = 0; i < rules.size(); i++) {
                visitor.visit(rules.get(i), field + "[" + i + "]");
            }
        }
    }

    private static Set<Flag> flags(Boolean ownerOnly, Boolean readOnly, Boolean pts) {
        Set<Flag> flags = EnumSet.noneOf(Flag.class);
        if (Boolean.TRUE.equals(ownerOnly)) {
            flags.add(Flag.OWNER_ONLY);
        }
        if (Boolean.TRUE.equals(readOnly)) {
            flags.add(Flag.READ_ONLY);
        }
        if (Boolean.TRUE.equals(pts)) {
            flags.add(Flag.PTS);
        }
        return flags;
    }

    private static Match directory(Boolean recursive) {
        return Boolean.TRUE.equals(recursive) ? Match.DIRECTORY_RECURSIVE : Match.DIRECTORY;
    }

    /** Repeated slashes mean one slash to the kernel; keys hold the canonical spelling. */
    static String path(String path) {
        return path.replaceAll("/{2,}", "/");
    }

    private static List<String> commaList(String value) {
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> names(List<Syscall> syscalls) {
        return syscalls.stream().map(Syscall::alertName).toList();
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
