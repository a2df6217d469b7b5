package dev.bulwark.compile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.compile.RuleSet.Context;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.Slot;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.GlobSyntax;
import dev.bulwark.policy.GlobSyntax.Atom;
import dev.bulwark.policy.GlobSyntax.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * An endpoint's `matchPatterns` that no hashed key can hold, compiled into one deterministic automaton over a
 * path's bytes: the kernel walks it once per decision, so the cost follows the path's length and never the
 * number of patterns. Its kernel form is a map of (state, what) to a next state or a rule (BW_GLOB_SHIFT in
 * bulwark.h); {@link #run} walks that very map, so user space (audit-only mode, the tests) matches as the kernel.
 *
 * <p>A state is the set of places the patterns can be at, each marked "bound" once the match depended on where
 * the path's directories are (a byte taken by anything but `**`, other than the root slash and a slash right after
 * `**`). After a directory's "name/", a bound place of a Block pattern means moving that directory could take
 * protected paths out from under the pattern: the state holds the Block as an ANCESTOR rule (a rename or removal
 * of the directory is a write). `/**&#47;chown` binds nothing, so it protects no directory from renames, while
 * `/home/*&#47;.ssh/**` makes /home and each /home/x one.
 */
@JsonPropertyOrder({"states", "kernelEntries", "patterns"})
public final class GlobAutomaton {
    /** The automaton is bigger than bulwark.maxGlobStates allows; nothing was changed. */
    public static final class TooLarge extends IllegalStateException {
        TooLarge(String message) {
            super(message);
        }
    }

    /** One pattern as the automaton holds it, and the policy it comes from (for errors). */
    public record Pattern(RuleClass ruleClass, String pattern, List<Atom> atoms, Action action, Slot slot,
            String policy) {
    }

    /** A pattern as `bulwark compile` shows it. */
    public record Shown(RuleClass ruleClass, String pattern, Action action, int rule) {
    }

    /** Threads across all states at most: above it the sets themselves would cost the agent's memory. */
    static final long MAX_THREADS = 4_000_000;

    public static final GlobAutomaton EMPTY = new GlobAutomaton(List.of(), Map.of(), 0);

    private final List<Pattern> patterns;
    /** The kernel map: (state << SHIFT | what) to a state or a rule id (without BW_RULE_SELF). */
    private final Map<Integer, Integer> kernel;
    private final int states;

    private GlobAutomaton(List<Pattern> patterns, Map<Integer, Integer> kernel, int states) {
        this.patterns = patterns;
        this.kernel = kernel;
        this.states = states;
    }

    @JsonProperty
    public int states() {
        return states;
    }

    @JsonProperty
    public int kernelEntries() {
        return kernel.size();
    }

    @JsonProperty
    public List<Shown> patterns() {
        return patterns.stream().map(p -> new Shown(p.ruleClass(), p.pattern(), p.action(), p.slot().rule()))
                .toList();
    }

    @JsonIgnore
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** The kernel map's entries (key: state << BW_GLOB_SHIFT | what). */
    @JsonIgnore
    public Map<Integer, Integer> kernel() {
        return kernel;
    }

    /** Whether an entry's value is a Block rule (the writer marks selfProtection's). */
    public static boolean blockRule(int key) {
        int what = key & ((1 << KernelLayout.GLOB_SHIFT) - 1);
        return what == KernelLayout.GLOB_ANCESTOR || what >= KernelLayout.GLOB_RULES + 2 * KernelLayout.CONTEXTS
                && what < KernelLayout.GLOB_RULES + 3 * KernelLayout.CONTEXTS;
    }

    /** The state a path leads to from the class's start, as the kernel's glob_walk steps (0: dead). */
    public int run(RuleClass ruleClass, String path) {
        int state = KernelLayout.GLOB_START + ruleClass.ordinal();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            state = step(state, b & 0xff);
            if (state == 0) {
                break;
            }
        }
        return state;
    }

    public int step(int state, int b) {
        Integer next = kernel.get(state << KernelLayout.GLOB_SHIFT | b);
        if (next == null) {
            next = kernel.get(state << KernelLayout.GLOB_SHIFT | KernelLayout.GLOB_OTHER);
        }
        return next == null ? 0 : next;
    }

    /** The rule an accepting state holds for the action in the context (0: none). */
    public int rule(int state, Action action, Context context) {
        return kernel.getOrDefault(state << KernelLayout.GLOB_SHIFT
                | KernelLayout.GLOB_RULES + action.ordinal() * KernelLayout.CONTEXTS + context.index(), 0);
    }

    /** The claim of a pattern's rule (the one with this id). */
    public Slot slot(int rule) {
        return patterns.stream().map(Pattern::slot).filter(slot -> slot.rule() == rule).findFirst().orElse(null);
    }

    /** The Block rule a directory's renaming or removal meets (0: none), for a directory path without its slash. */
    public int ancestor(RuleClass ruleClass, String directory) {
        int state = run(ruleClass, directory);
        state = state == 0 ? 0 : step(state, '/');
        return state == 0 ? 0 : kernel.getOrDefault(state << KernelLayout.GLOB_SHIFT | KernelLayout.GLOB_ANCESTOR,
                0);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GlobAutomaton that && patterns.equals(that.patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    /** Builds the automaton of these patterns; TooLarge when it needs more than maxStates states. */
    public static GlobAutomaton build(List<Pattern> patterns, int maxStates) {
        if (patterns.isEmpty()) {
            return EMPTY;
        }
        return new Builder(patterns, Math.min(maxStates, KernelLayout.GLOB_MAX_STATE)).build();
    }

    private static final class Builder {
        private final List<Pattern> patterns;
        private final int maxStates;
        private final int[] byteClass = new int[256];
        private final int[] representative;
        /** How many bytes each class has. */
        private final int[] classSize;
        private static final long[] NONE = {};
        private final Map<StateKey, Integer> ids = new HashMap<>();
        private final Deque<long[]> pending = new ArrayDeque<>();
        private final Map<Integer, Integer> kernel = new HashMap<>();
        /** Per state, the Block a directory meets there; written only for states a slash leads to. */
        private final Map<Integer, Integer> ancestors = new HashMap<>();
        private final Set<Integer> afterSlash = new HashSet<>();
        private long threads;
        private int next = KernelLayout.GLOB_START + RuleClass.values().length;

        Builder(List<Pattern> patterns, int maxStates) {
            this.patterns = patterns;
            this.maxStates = maxStates;
            this.representative = byteClasses();
            this.classSize = new int[representative.length];
            for (int b = 0; b < 256; b++) {
                classSize[byteClass[b]]++;
            }
        }

        /** Bytes no pattern tells apart share a class; each class is computed once per state. */
        private int[] byteClasses() {
            List<BitSet> sets = new ArrayList<>();
            BitSet slash = new BitSet(256);
            slash.set('/');
            sets.add(slash);
            patterns.forEach(p -> p.atoms().stream().filter(a -> a.kind() == Kind.ONE).map(Atom::bytes)
                    .forEach(sets::add));
            int classes = 1;
            for (BitSet set : sets.stream().distinct().toList()) {
                Map<Long, Integer> split = new HashMap<>();
                int count = 0;
                int[] renamed = new int[256];
                for (int b = 0; b < 256; b++) {
                    long signature = (long) byteClass[b] << 1 | (set.get(b) ? 1 : 0);
                    Integer id = split.get(signature);
                    if (id == null) {
                        id = count++;
                        split.put(signature, id);
                    }
                    renamed[b] = id;
                }
                System.arraycopy(renamed, 0, byteClass, 0, 256);
                classes = count;
            }
            int[] first = new int[classes];
            Arrays.fill(first, -1);
            for (int b = 255; b >= 0; b--) {
                first[byteClass[b]] = b;
            }
            return first;
        }

        GlobAutomaton build() {
            for (RuleClass ruleClass : RuleClass.values()) {
                size = 0;
                for (int i = 0; i < patterns.size(); i++) {
                    if (patterns.get(i).ruleClass() == ruleClass) {
                        add(thread(i, 0, 0));
                    }
                }
                if (size > 0) {
                    long[] set = closedAndNormal();
                    ids.put(new StateKey(set), KernelLayout.GLOB_START + ruleClass.ordinal());
                    pending.add(set);
                }
            }
            while (!pending.isEmpty()) {
                long[] set = pending.poll();
                int state = ids.get(new StateKey(set));
                transitions(state, set);
                accepts(state, set);
            }
            ancestors.forEach((state, rule) -> {
                if (afterSlash.contains(state)) {
                    kernel.put(state << KernelLayout.GLOB_SHIFT | KernelLayout.GLOB_ANCESTOR, rule);
                }
            });
            return new GlobAutomaton(List.copyOf(patterns), Map.copyOf(kernel), ids.size());
        }

        private void transitions(int state, long[] set) {
            int[] target = new int[representative.length];
            for (int c = 0; c < representative.length; c++) {
                target[c] = id(step(set, representative[c]));
            }
            afterSlash.add(target[byteClass['/']]);
            // The most common target (by bytes) is the state's "other" key; every byte going elsewhere has its own.
            int other = 0;
            int most = -1;
            for (int c = 0; c < representative.length; c++) {
                int bytes = 0;
                for (int d = 0; d < representative.length; d++) {
                    bytes += target[d] == target[c] ? classSize[d] : 0;
                }
                if (bytes > most || bytes == most && target[c] < other) {
                    most = bytes;
                    other = target[c];
                }
            }
            if (other != 0) {
                kernel.put(state << KernelLayout.GLOB_SHIFT | KernelLayout.GLOB_OTHER, other);
            }
            for (int b = 0; b < 256; b++) {
                if (target[byteClass[b]] != other) {
                    kernel.put(state << KernelLayout.GLOB_SHIFT | b, target[byteClass[b]]);
                }
            }
        }

        /** The rules of the patterns that end here, per action and context, and the Block a directory meets. */
        private void accepts(int state, long[] set) {
            Map<Action, List<Slot>> ending = new LinkedHashMap<>();
            int ancestor = Integer.MAX_VALUE;
            for (long thread : set) {
                Pattern pattern = patterns.get(pattern(thread));
                if (position(thread) == pattern.atoms().size()) {
                    List<Slot> slots = ending.computeIfAbsent(pattern.action(), a -> new ArrayList<>());
                    if (!slots.contains(pattern.slot())) {
                        slots.add(pattern.slot());
                    }
                }
                if (bound(thread) && pattern.action() == Action.Block) {
                    ancestor = Math.min(ancestor, pattern.slot().rule());
                }
            }
            ending.forEach((action, slots) -> {
                slots.sort(Comparator.comparingInt(Slot::rule));
                for (Context context : Context.ALL) {
                    Slot holder = RuleSet.holder(slots, action, context);
                    if (holder != null) {
                        kernel.put(state << KernelLayout.GLOB_SHIFT | KernelLayout.GLOB_RULES
                                + action.ordinal() * KernelLayout.CONTEXTS + context.index(), holder.rule());
                    }
                }
            });
            if (ancestor != Integer.MAX_VALUE) {
                ancestors.put(state, ancestor);
            }
        }

        private int id(long[] set) {
            if (set.length == 0) {
                return 0;
            }
            StateKey key = new StateKey(set);
            Integer id = ids.get(key);
            if (id == null) {
                if (ids.size() >= maxStates || next > KernelLayout.GLOB_MAX_STATE) {
                    throw tooLarge("more than " + maxStates + " states (bulwark.maxGlobStates)");
                }
                threads += set.length;
                if (threads > MAX_THREADS) {
                    throw tooLarge("more than " + MAX_THREADS + " pattern places across its states");
                }
                id = next++;
                ids.put(key, id);
                pending.add(set);
            }
            return id;
        }

        private TooLarge tooLarge(String what) {
            Map<String, Long> byPolicy = patterns.stream()
                    .collect(Collectors.groupingBy(Pattern::policy, TreeMap::new, Collectors.counting()));
            return new TooLarge("the glob automaton of the matchPatterns of " + byPolicy.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.joining(", "))
                    + " needs " + what + "; the previous rules stay in force");
        }

        /** Where the threads are after one byte. */
        private long[] step(long[] set, int b) {
            size = 0;
            for (long thread : set) {
                int i = pattern(thread);
                int at = position(thread);
                List<Atom> atoms = patterns.get(i).atoms();
                if (at == atoms.size()) {
                    continue;
                }
                Atom atom = atoms.get(at);
                if (!atom.takes(b)) {
                    continue;
                }
                int bound = bound(thread) ? 1 : 0;
                switch (atom.kind()) {
                    case ONE -> {
                        boolean free = b == '/' && (at == 0 || atoms.get(at - 1).kind() == Kind.ANY);
                        add(thread(i, at + 1, free ? bound : 1));
                    }
                    case IN_PART -> add(thread(i, at, 1));
                    case ANY -> add(thread(i, at, bound));
                }
            }
            return closedAndNormal();
        }

        /** The threads gathered so far, in a buffer reused for every step (the sets are large at the start). */
        private long[] buffer = new long[256];
        private int size;

        private void add(long thread) {
            if (size == buffer.length) {
                buffer = Arrays.copyOf(buffer, size * 2);
            }
            buffer[size++] = thread;
        }

        /**
         * The gathered threads closed (a run may take nothing: a thread before one is also after it, and after the
         * slash of "/**&#47;"), sorted, one per place: unbound where any way there is (the match survives a move
         * that way).
         */
        private long[] closedAndNormal() {
            if (size == 0) {
                return NONE;
            }
            for (int k = 0; k < size; k++) {
                long thread = buffer[k];
                List<Atom> atoms = patterns.get(pattern(thread)).atoms();
                int at = position(thread);
                if (at < atoms.size() && atoms.get(at).kind() != Kind.ONE) {
                    add(thread(pattern(thread), at + 1, bound(thread) ? 1 : 0));
                    if (GlobSyntax.zeroDirectories(atoms, at)) {
                        add(thread(pattern(thread), at + 2, bound(thread) ? 1 : 0));
                    }
                }
            }
            Arrays.sort(buffer, 0, size);
            int n = 0;
            long[] out = new long[size];
            for (int k = 0; k < size; k++) {
                if (n == 0 || out[n - 1] >> 1 != buffer[k] >> 1) {
                    out[n++] = buffer[k];
                }
            }
            return n == size ? out : Arrays.copyOf(out, n);
        }

        private static long thread(int pattern, int position, int bound) {
            return (long) pattern << 32 | (long) position << 1 | bound;
        }

        private static int pattern(long thread) {
            return (int) (thread >>> 32);
        }

        private static int position(long thread) {
            return (int) (thread & 0xffffffffL) >>> 1;
        }

        private static boolean bound(long thread) {
            return (thread & 1) != 0;
        }
    }

    /** A state's identity: its sorted threads. */
    private record StateKey(long[] threads) {
        @Override
        public boolean equals(Object other) {
            return other instanceof StateKey that && Arrays.equals(threads, that.threads);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(threads);
        }
    }
}
