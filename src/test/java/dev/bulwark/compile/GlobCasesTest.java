package dev.bulwark.compile;

import static dev.bulwark.compile.RuleCompilerTest.DEFAULTS;
import static dev.bulwark.compile.RuleCompilerTest.compile;
import static dev.bulwark.compile.RuleCompilerTest.hsp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.GlobCases;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The user-space matcher (audit-only mode) on the glob grammar's shared table: each pattern as a Block (the path
 * is denied exactly when it matches) and as an Allow under posture block (allowed exactly when it matches), for
 * files and programs. GlobGrammarEnforcementTest holds the kernel to the same table.
 */
class GlobCasesTest {
    static Stream<Arguments> patterns() {
        return GlobCases.byPattern().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patterns")
    void eachPatternBlocksAndAllowsExactlyWhatItMatches(String pattern, List<GlobCases.Case> cases) {
        assertTrue(cases.stream().anyMatch(GlobCases.Case::matches) && cases.stream().anyMatch(c -> !c.matches()),
                pattern + ": the table needs a match and a near miss");
        for (String block : List.of("file", "process")) {
            RuleClass ruleClass = block.equals("file") ? RuleClass.FILE : RuleClass.PROCESS;
            RuleMatcher blocks = new RuleMatcher(compile(DEFAULTS, hsp("p", block + ": {matchPatterns: [{pattern: '"
                    + pattern + "'}]}, action: Block")));
            RuleMatcher allows = new RuleMatcher(compile(new RuleCompiler.Options(new Postures(Posture.block,
                    Posture.audit, Posture.audit), true), hsp("p", block + ": {matchPatterns: [{pattern: '" + pattern
                    + "'}]}, action: Allow")));
            for (GlobCases.Case c : cases) {
                assertEquals(c.matches(), blocks.match(ruleClass, c.path(), "").block() != null,
                        block + " Block " + pattern + " on " + c.path());
                assertEquals(c.matches() ? RuleMatcher.Decision.ALLOWED : RuleMatcher.Decision.POSTURE_BLOCKED,
                        allows.verdict(ruleClass, c.path(), "", RuleMatcher.ANY_BLOCK).decision(),
                        block + " Allow " + pattern + " on " + c.path());
            }
        }
    }

    /** Which directories a Block pattern depends on (their renaming is a write), as the guest test renames them. */
    @org.junit.jupiter.api.Test
    void theDirectoriesABlockDependsOnAreThoseItsMatchBindsTo() {
        GlobAutomaton globs = compile(DEFAULTS, hsp("p", "file: {matchPatterns: [{pattern: '/home/*/.ssh/**'},"
                + " {pattern: '/**/chown'}]}, action: Block")).globs();
        for (String bound : List.of("/home", "/home/alice", "/home/alice/.ssh", "/home/alice/.ssh/keys")) {
            assertTrue(globs.ancestor(RuleClass.FILE, bound) != 0, bound);
        }
        for (String free : List.of("/home/alice/other", "/usr/bin", "/tmp/a/b", "/etc")) {
            assertEquals(0, globs.ancestor(RuleClass.FILE, free), free);
        }
    }
}
