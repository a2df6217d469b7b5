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
import dev.bulwark.policy.Glob;
import dev.bulwark.policy.GlobSyntax;
import dev.bulwark.policy.KubeArmorHostPolicySpec;
import dev.bulwark.policy.NetworkBlock;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicySpec;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.PresetRule;
import dev.bulwark.policy.ProcessRules;
import dev.bulwark.policy.RuleMeta;
import dev.bulwark.policy.Source;
import dev.bulwark.policy.Syscall;
import dev.bulwark.policy.SyscallRules;
import dev.bulwark.settings.Postures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
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
 * (Past 300 lines on purpose: one pass per rule block of KubeArmor's spec, each short, in the spec's order; split
 * apart they would share the compiler's whole state.)
 */
public final class RuleCompiler {

        /**
     * @param paths how the endpoint's file system spells policy paths (symlinked directories, usrmerge's /bin):
     *     each path rule also holds for its resolved spelling, the one the kernel sees
     */
    public record Options(Postures postures, boolean matchArgs, PathResolver paths, int maxGlobStates) {
        /** bulwark.maxGlobStates' default: each state costs the kernel one to three small map entries. */
        public static final int DEFAULT_MAX_GLOB_STATES = 65536;

        public Options(Postures postures, boolean matchArgs) {
            this(postures, matchArgs, PathResolver.NONE);
        }

        public Options(Postures postures, boolean matchArgs, PathResolver paths) {
            this(postures, matchArgs, paths, DEFAULT_MAX_GLOB_STATES);
        }
    }

    private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::ruleClass)
            .thenComparing(Key::match).thenComparing(Key::target).thenComparing(Key::source);
    private static final Comparator<Policy> POLICY_ORDER =
            Comparator.comparing(Policy::kind).thenComparing(Policy::qualifiedName);

    private final Options options;
    private final List<RuleInfo> rules = new ArrayList<>();
    /** Per key, per action (Action ordinal), the rules that claim it, in rule id order. */
    private final Map<Key, List<List<Slot>>> slots = new TreeMap<>(KEY_ORDER);
    private final List<RuleSet.PresetEntry> presets = new ArrayList<>();
    private final List<RuleSet.SyscallMatcher> syscalls = new ArrayList<>();
    private final List<String> notEnforced = new ArrayList<>();
    /** The patterns no hashed key can hold: they go into the endpoint's glob automaton. */
    private final Set<GlobAutomaton.Pattern> globs = new LinkedHashSet<>();

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
            int id = rule(field, meta.under(rule));
            Set<Flag> flags = flags(rule.ownerOnly(), false, rule.pts());
            if (byName) {
                put(RuleClass.PROCESS, Match.EXEC_NAME, rule.execname(), sources(rule.fromSource(), field), id, flags,
                        args);
            } else {
                putPath(RuleClass.PROCESS, Match.PATH, rule.path(), field + ".path", rule.fromSource(), id, flags,
                        args);
            }
        });
        each(block.matchDirectories(), "spec.process.matchDirectories", (rule, field) ->
                putPath(RuleClass.PROCESS, directory(rule.recursive()), rule.dir(), field + ".dir", rule.fromSource(),
                        rule(field, meta.under(rule)), flags(rule.ownerOnly(), false, rule.pts()), List.of()));
        each(block.matchPatterns(), "spec.process.matchPatterns", (rule, field) ->
                glob(RuleClass.PROCESS, rule.pattern(), rule(field, meta.under(rule)),
                        flags(rule.ownerOnly(), false, rule.pts())));
    }

    private void file(FileRules block, Meta specMeta) {
        if (block == null) {
            return;
        }
        Meta meta = specMeta.under(block);
        each(block.matchPaths(), "spec.file.matchPaths", (rule, field) ->
                putPath(RuleClass.FILE, Match.PATH, rule.path(), field + ".path", rule.fromSource(),
                        rule(field, meta.under(rule)), flags(rule.ownerOnly(), rule.readOnly(), rule.pts()), List.of()));
        each(block.matchDirectories(), "spec.file.matchDirectories", (rule, field) ->
                putPath(RuleClass.FILE, directory(rule.recursive()), rule.dir(), field + ".dir", rule.fromSource(),
                        rule(field, meta.under(rule)), flags(rule.ownerOnly(), rule.readOnly(), rule.pts()), List.of()));
        each(block.matchPatterns(), "spec.file.matchPatterns", (rule, field) ->
                glob(RuleClass.FILE, rule.pattern(), rule(field, meta.under(rule)),
                        flags(rule.ownerOnly(), rule.readOnly(), rule.pts())));
    }

    private void network(NetworkBlock block, Meta specMeta) {
        if (block == null) {
            return;
        }
        Meta meta = specMeta.under(block);
        each(block.protocols(), "spec.network.matchProtocols", (rule, field) -> {
            int id = rule(field, meta.under(rule));
            for (String protocol : commaList(rule.protocol())) {
                put(RuleClass.NETWORK, Match.PROTOCOL, protocol.toLowerCase(Locale.ROOT),
                        sources(rule.fromSource(), field), id, flags(false, false, rule.pts()), List.of());
            }
        });
        each(block.matchDNSQueries(), "spec.network.matchDNSQueries", (rule, field) -> {
            String domain = rule.domain().toLowerCase(Locale.ROOT);
            domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
            put(RuleClass.DNS, Match.DOMAIN, domain, sources(rule.fromSource(), field), rule(field, meta.under(rule)),
                    Set.of(), List.of());
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
                        sources(rule.fromSource(), field), id, Set.of(), List.of());
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
                        rule.message()), names(rule.syscall()), normalize(rule.path()),
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

    /**
     * A `matchPatterns` glob: where it has a hashed form, the key the kernel looks up (a path, a directory's files
     * or tree, an extension in or under a directory); else its spellings go into the glob automaton, the literal
     * directory each starts with also in its resolved spelling. A pattern that is not an absolute path (a bare
     * name, a regular expression) or not a well-formed glob never matches a path: reported, not refused.
     */
    private void glob(RuleClass ruleClass, String pattern, int rule, Set<Flag> flags) {
        String field = rules.get(rule - 1).field() + ".pattern";
        if (!pattern.startsWith("/")) {
            notEnforced.add(policy.qualifiedName() + ": " + field + ": " + pattern + " never matches: patterns are"
                    + " matched against absolute paths (AppArmor's globs; not names, not regular expressions)");
            return;
        }
        Glob glob = Glob.parse(normalize(pattern));
        if (glob == null) {
            automaton(ruleClass, pattern, rule, flags, field);
            return;
        }
        switch (glob.form()) {
            case PATH -> putPath(ruleClass, Match.PATH, glob.directory(), field, null, rule, flags, List.of());
            case FILES_IN -> putPath(ruleClass, Match.DIRECTORY, glob.directory(), field, null, rule, flags, List.of());
            case TREE -> putPath(ruleClass, Match.DIRECTORY_RECURSIVE, glob.directory(), field, null, rule, flags,
                    List.of());
            case EXTENSION_IN -> spellings(glob.directory(), field).forEach(directory ->
                    put(ruleClass, Match.GLOB, directory + "*" + glob.extension(), List.of(""), rule, flags,
                            List.of()));
            case EXTENSION_UNDER -> spellings(glob.directory(), field).forEach(directory ->
                    put(ruleClass, Match.GLOB_RECURSIVE, directory + "**/*" + glob.extension(), List.of(""), rule,
                            flags, List.of()));
        }
    }

    private void automaton(RuleClass ruleClass, String pattern, int rule, Set<Flag> flags, String field) {
        Action action = rules.get(rule - 1).action();
        Slot slot = new Slot(rule, flags, List.of());
        try {
            for (String spelling : GlobSyntax.alternatives(pattern)) {
                String prefix = GlobSyntax.literalPrefix(spelling);
                String directory = prefix.substring(0, prefix.lastIndexOf('/') + 1);
                for (String resolved : spellings(directory, field)) {
                    String written = resolved + spelling.substring(directory.length());
                    GlobAutomaton.Pattern held = new GlobAutomaton.Pattern(ruleClass, written,
                            GlobSyntax.atoms(written), action, slot, policy.qualifiedName());
                    globs.add(held);
                }
            }
        } catch (GlobSyntax.Malformed e) {
            notEnforced.add(policy.qualifiedName() + ": " + field + ": " + pattern + " never matches: it is not a"
                    + " well-formed glob (" + e.getMessage() + ")");
        }
    }

    /** A rule on a path (or directory): one key per spelling of it on the endpoint and per source. */
    private void putPath(RuleClass ruleClass, Match match, String path, String field, List<Source> fromSource,
            int rule, Set<Flag> flags, List<String> args) {
        List<String> sources = sources(fromSource, field.substring(0, field.lastIndexOf('.')));
        for (String target : spellings(path, field)) {
            put(ruleClass, match, target, sources, rule, flags, args);
        }
    }

    /** The acting programs a rule names: "" (any) without fromSource, else each source in each spelling. */
    private List<String> sources(List<Source> fromSource, String field) {
        if (fromSource == null || fromSource.isEmpty()) {
            return List.of("");
        }
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < fromSource.size(); i++) {
            for (String spelling : spellings(fromSource.get(i).path(), field + ".fromSource[" + i + "].path")) {
                if (!sources.contains(spelling)) {
                    sources.add(spelling);
                }
            }
        }
        return sources;
    }

    /**
     * A policy path as the kernel can see it: normalised (repeated slashes, "." and ".." as the kernel resolves
     * them), and also with the symlinks on it resolved on the endpoint's file system (usrmerge's /bin is
     * /usr/bin: an exec of /bin/od is the file /usr/bin/od). A path through /proc/self or the /dev/fd links is
     * reported: the kernel names those files by what they point to, so it never matches.
     */
    private List<String> spellings(String path, String field) {
        String normal = normalize(path);
        for (String magic : MAGIC_LINKS) {
            if (normal.equals(magic) || normal.startsWith(magic + "/")) {
                notEnforced.add(policy.qualifiedName() + ": " + field + ": " + path + " never matches: the kernel"
                        + " names the files behind " + magic + " by their own paths (/proc/<pid>/..., the file"
                        + " itself)");
            }
        }
        String resolved = normalize(options.paths().resolve(normal));
        return resolved.equals(normal) ? List.of(normal) : List.of(normal, resolved);
    }

    /** Links the kernel resolves to the task's own files: a policy path through them can never be seen. */
    private static final List<String> MAGIC_LINKS = List.of("/proc/self", "/proc/thread-self", "/dev/fd",
            "/dev/stdin", "/dev/stdout", "/dev/stderr");

    private void put(RuleClass ruleClass, Match match, String target, List<String> sources, int rule,
            Set<Flag> flags, List<String> args) {
        Slot slot = new Slot(rule, flags, args);
        int action = rules.get(rule - 1).action().ordinal();
        for (String source : sources) {
            List<List<Slot>> held = slots.computeIfAbsent(new Key(ruleClass, match, target, source),
                    k -> List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
            if (!held.get(action).contains(slot)) {
                held.get(action).add(slot);
            }
        }
    }

    /**
     * Directories above what Block rules protect (ANCESTOR keys): renaming or removing one would take the
     * protected files out from under their rules, so the kernel treats it as a write everyone is denied.
     */
    private void ancestors() {
        Map<String, Integer> directories = new TreeMap<>();
        slots.forEach((key, held) -> {
            List<Slot> blocks = held.get(Action.Block.ordinal());
            if (blocks.isEmpty() || (key.ruleClass() != RuleClass.FILE && key.ruleClass() != RuleClass.PROCESS)) {
                return;
            }
            String directory = switch (key.match()) {
                case PATH -> key.target().substring(0, key.target().lastIndexOf('/') + 1);
                case DIRECTORY, DIRECTORY_RECURSIVE -> key.target();
                case GLOB, GLOB_RECURSIVE -> key.target().substring(0, key.target().lastIndexOf('/', 
                        key.target().indexOf('*')) + 1);
                default -> null;
            };
            for (int slash = directory == null ? -1 : directory.indexOf('/', 1); slash > 0;
                    slash = directory.indexOf('/', slash + 1)) {
                directories.merge(directory.substring(0, slash + 1), blocks.getFirst().rule(), Math::min);
            }
        });
        directories.forEach((directory, rule) -> put(RuleClass.FILE, Match.ANCESTOR, directory, List.of(""), rule,
                Set.of(), List.of()));
    }

    /**
     * The rule whose promise the mount guard keeps: the first Block of the file or process class, else, where
     * one of them is an allow list with posture block, its first Allow. 0: nothing to keep (no guard).
     */
    private int guard(Map<RuleClass, Mode> modes) {
        int guard = Integer.MAX_VALUE;
        for (Map.Entry<Key, List<List<Slot>>> entry : slots.entrySet()) {
            RuleClass ruleClass = entry.getKey().ruleClass();
            if (ruleClass != RuleClass.FILE && ruleClass != RuleClass.PROCESS) {
                continue;
            }
            for (Slot slot : entry.getValue().get(Action.Block.ordinal())) {
                guard = Math.min(guard, slot.rule());
            }
        }
        for (GlobAutomaton.Pattern glob : globs) {
            if (glob.action() == Action.Block) {
                guard = Math.min(guard, glob.slot().rule());
            }
        }
        if (guard == Integer.MAX_VALUE) {
            for (GlobAutomaton.Pattern glob : globs) {
                Mode mode = modes.get(glob.ruleClass());
                if (glob.action() == Action.Allow && mode.whitelist() && mode.posture() == Posture.block) {
                    guard = Math.min(guard, glob.slot().rule());
                }
            }
            for (Map.Entry<Key, List<List<Slot>>> entry : slots.entrySet()) {
                Mode mode = modes.get(entry.getKey().ruleClass());
                if ((entry.getKey().ruleClass() == RuleClass.FILE || entry.getKey().ruleClass() == RuleClass.PROCESS)
                        && mode.whitelist() && mode.posture() == Posture.block) {
                    for (Slot slot : entry.getValue().get(Action.Allow.ordinal())) {
                        guard = Math.min(guard, slot.rule());
                    }
                }
            }
        }
        return guard == Integer.MAX_VALUE ? 0 : guard;
    }

    private RuleSet build(Endpoint endpoint) {
        ancestors();
        List<Entry> entries = slots.entrySet().stream()
                .map(e -> new Entry(e.getKey(), List.copyOf(e.getValue().get(Action.Allow.ordinal())),
                        List.copyOf(e.getValue().get(Action.Audit.ordinal())),
                        List.copyOf(e.getValue().get(Action.Block.ordinal()))))
                .toList();
        Postures postures = options.postures();
        Map<RuleClass, Mode> modes = new EnumMap<>(RuleClass.class);
        for (RuleClass ruleClass : RuleClass.values()) {
            Posture posture = switch (ruleClass) {
                case PROCESS, FILE -> postures.file();
                case NETWORK, DNS -> postures.network();
                case CAPABILITIES -> postures.capabilities();
            };
            boolean whitelist = entries.stream()
                    .anyMatch(e -> e.key().ruleClass() == ruleClass && !e.allow().isEmpty())
                    || globs.stream().anyMatch(g -> g.ruleClass() == ruleClass && g.action() == Action.Allow);
            modes.put(ruleClass, new Mode(whitelist, posture));
        }
        GlobAutomaton automaton = GlobAutomaton.build(List.copyOf(globs), options.maxGlobStates());
        return new RuleSet(endpoint, modes, guard(modes), entries, automaton, List.copyOf(presets),
                List.copyOf(syscalls),
                List.copyOf(rules), List.copyOf(notEnforced));
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

    /**
     * The spelling the kernel gives a path: repeated slashes are one, "." is nothing, ".." is the directory above
     * (never above the root); a directory keeps its final slash. Keys hold this canonical spelling.
     */
    static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                }
            } else {
                parts.add(part);
            }
        }
        String joined = "/" + String.join("/", parts);
        boolean directory = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
        return directory && !parts.isEmpty() ? joined + "/" : joined;
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
