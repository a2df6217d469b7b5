package dev.bulwark.compile;

import dev.bulwark.compile.RuleSet.Context;
import dev.bulwark.compile.RuleSet.Entry;
import dev.bulwark.compile.RuleSet.Key;
import dev.bulwark.compile.RuleSet.Match;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.Slot;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.Posture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule set's process and file entries matched in user space, the way the kernel walks them: the glob automaton
 * (its very kernel map), every enclosing
 * directory (recursive rules and globs below it), the directory the file is directly in, its extension, the
 * executable's name and the exact path, each for any source and for the acting executable. Every key that
 * matches counts: a Block that holds on any of them denies. Used where the kernel does not decide (audit-only
 * mode), and by the tests as the statement of what the kernel must decide.
 */
public final class RuleMatcher {
    /**
     * The context in which every narrowed Block and Audit holds (a write, by someone not the owner, on a
     * terminal): what audit-only mode reports when it cannot tell the operation's facts.
     */
    public static final Context ANY_BLOCK = new Context(true, false, true);

    private final RuleSet ruleSet;
    private final Map<Key, Entry> entries = new HashMap<>();

    public RuleMatcher(RuleSet ruleSet) {
        this.ruleSet = ruleSet;
        for (Entry entry : ruleSet.entries()) {
            entries.put(entry.key(), entry);
        }
    }

    /** The rules of each action that hold for this operation (null where none); the last key met names it. */
    public record Matched(Slot allow, Slot audit, Slot block) {
        public boolean any() {
            return allow != null || audit != null || block != null;
        }
    }

    /** What the kernel decides. */
    public enum Decision { BLOCKED, ALLOWED, POSTURE_BLOCKED, POSTURE_AUDITED }

    /** The decision, the rule that made it (0: the posture, or no rule), and the Audit rule reported (0: none). */
    public record Verdict(Decision decision, int rule, int audit) {
    }

    public Matched match(RuleClass ruleClass, String path, String source) {
        return match(ruleClass, path, source, ANY_BLOCK);
    }

    /**
     * @param ruleClass PROCESS (path: the program run) or FILE (path: the file acted on)
     * @param path absolute path
     * @param source the acting executable's absolute path ("" when unknown)
     */
    public Matched match(RuleClass ruleClass, String path, String source, Context context) {
        Slot[] found = new Slot[3];
        GlobAutomaton globs = ruleSet.globs();
        int state = globs.isEmpty() ? 0 : globs.run(ruleClass, path);
        if (state != 0) {
            // First, as the kernel walks it first: a hashed key's rule, more specific, names the alert.
            for (Action action : Action.values()) {
                int rule = globs.rule(state, action, context);
                if (rule != 0) {
                    found[action.ordinal()] = globs.slot(rule);
                }
            }
        }
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        String extension = dot > slash ? path.substring(dot) : null;
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            lookup(found, ruleClass, Match.DIRECTORY_RECURSIVE, path.substring(0, i + 1), source, context);
            if (extension != null) {
                lookup(found, ruleClass, Match.GLOB_RECURSIVE, path.substring(0, i + 1) + "**/*" + extension, source,
                        context);
            }
        }
        lookup(found, ruleClass, Match.DIRECTORY, path.substring(0, slash + 1), source, context);
        if (extension != null) {
            lookup(found, ruleClass, Match.GLOB, path.substring(0, slash + 1) + "*" + extension, source, context);
        }
        if (ruleClass == RuleClass.PROCESS) {
            lookup(found, ruleClass, Match.EXEC_NAME, path.substring(slash + 1), source, context);
        }
        lookup(found, ruleClass, Match.PATH, path, source, context);
        return new Matched(found[Action.Allow.ordinal()], found[Action.Audit.ordinal()], found[Action.Block.ordinal()]);
    }

    /**
     * The kernel's verdict on an operation: a Block denies; an Audit reports; in whitelist mode what no Allow
     * covers goes to the posture. An Allow narrowed by allowedArgs is taken to hold (the arguments are the
     * kernel's to compare).
     */
    public Verdict verdict(RuleClass ruleClass, String path, String source, Context context) {
        Matched matched = match(ruleClass, path, source, context);
        if (matched.block() != null) {
            return new Verdict(Decision.BLOCKED, matched.block().rule(), 0);
        }
        int audit = matched.audit() == null ? 0 : matched.audit().rule();
        RuleSet.Mode mode = ruleSet.modes().get(ruleClass);
        if (matched.allow() != null || !mode.whitelist()) {
            return new Verdict(Decision.ALLOWED, matched.allow() == null ? 0 : matched.allow().rule(), audit);
        }
        return new Verdict(mode.posture() == Posture.block ? Decision.POSTURE_BLOCKED : Decision.POSTURE_AUDITED, 0,
                audit);
    }

    private void lookup(Slot[] found, RuleClass ruleClass, Match match, String target, String source,
            Context context) {
        for (String from : source.isEmpty() ? List.of("") : List.of("", source)) {
            Entry entry = entries.get(new Key(ruleClass, match, target, from));
            if (entry != null) {
                for (Action action : Action.values()) {
                    Slot holder = entry.holder(action, context);
                    if (holder != null) {
                        found[action.ordinal()] = holder;
                    }
                }
            }
        }
    }
}
