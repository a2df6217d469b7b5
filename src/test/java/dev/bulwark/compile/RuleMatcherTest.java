package dev.bulwark.compile;

import static dev.bulwark.compile.RuleCompilerTest.DEFAULTS;
import static dev.bulwark.compile.RuleCompilerTest.compile;
import static dev.bulwark.compile.RuleCompilerTest.hsp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.compile.RuleSet.RuleClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The user-space matcher (audit-only mode) agrees with the kernel on every glob form. */
class RuleMatcherTest {
    static final RuleMatcher MATCHER = new RuleMatcher(compile(DEFAULTS, hsp("globs", "file: {matchPatterns: ["
            + "{pattern: /keys/**/*.pem}, {pattern: /app/*.env}, {pattern: /data/*}, {pattern: /tree/**},"
            + " {pattern: /etc/motd}]}, action: Block")));

    @ParameterizedTest
    @CsvSource({
            "/keys/a.pem, true", "/keys/x/y/z.pem, true", "/keys/a.pem.txt, false", "/keys/pem, false",
            "/app/prod.env, true", "/app/.env, true", "/app/sub/prod.env, false", "/app/prod.envx, false",
            "/data/x, true", "/data/sub/x, false", "/tree/a/b/c, true", "/etc/motd, true", "/etc/motd2, false"})
    void globsMatchAsInTheKernel(String path, boolean blocked) {
        assertEquals(blocked, MATCHER.match(RuleClass.FILE, path, "").block() != null, path);
    }
}
