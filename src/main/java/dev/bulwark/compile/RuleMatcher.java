package dev.bulwark.compile;

import dev.bulwark.compile.RuleSet.Entry;
import dev.bulwark.compile.RuleSet.Key;
import dev.bulwark.compile.RuleSet.Match;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.Slot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule set's process and file entries matched in user space, the way the kernel walks them: the exact path,
 * the executable's name, the directory it is directly in, and every enclosing directory (recursive rules),
 * each for any source and for the acting executable. Used where the kernel does not decide (audit-only mode).
 */
public final class RuleMatcher {
    private final Map<Key, Entry> entries = new HashMap<>();

    public RuleMatcher(RuleSet ruleSet) {
        for (Entry entry : ruleSet.entries()) {
            entries.put(entry.key(), entry);
        }
    }

    /** The rules of each action that hold for this operation (null where none). */
    public record Matched(Slot allow, Slot audit, Slot block) {
        public boolean any() {
            return allow != null || audit != null || block != null;
        }
    }

    /**
     * @param ruleClass PROCESS (path: the program run) or FILE (path: the file acted on)
     * @param path absolute path
     * @param source the acting executable's absolute path ("" when unknown)
     */
    public Matched match(RuleClass ruleClass, String path, String source) {
        Slot[] best = new Slot[3];
        int slash = path.lastIndexOf('/');
        lookup(best, ruleClass, Match.PATH, path, source);
        lookup(best, ruleClass, Match.DIRECTORY, path.substring(0, slash + 1), source);
        if (ruleClass == RuleClass.PROCESS) {
            lookup(best, ruleClass, Match.EXEC_NAME, path.substring(slash + 1), source);
        }
        int dot = path.lastIndexOf('.');
        String extension = dot > slash ? path.substring(dot) : null;
        if (extension != null) {
            lookup(best, ruleClass, Match.GLOB, path.substring(0, slash + 1) + "*" + extension, source);
        }
        for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
            lookup(best, ruleClass, Match.DIRECTORY_RECURSIVE, path.substring(0, i + 1), source);
            if (extension != null) {
                lookup(best, ruleClass, Match.GLOB_RECURSIVE, path.substring(0, i + 1) + "**/*" + extension, source);
            }
        }
        return new Matched(best[0], best[1], best[2]);
    }

    private void lookup(Slot[] best, RuleClass ruleClass, Match match, String target, String source) {
        for (String from : source.isEmpty() ? List.of("") : List.of("", source)) {
            Entry entry = entries.get(new Key(ruleClass, match, target, from));
            if (entry != null) {
                best[0] = best[0] != null ? best[0] : entry.allow();
                best[1] = best[1] != null ? best[1] : entry.audit();
                best[2] = best[2] != null ? best[2] : entry.block();
            }
        }
    }
}
