package dev.bulwark.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.compile.RuleMatcher.Verdict;
import dev.bulwark.compile.RuleSet.Context;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * The precedence table (src/test/resources/precedence.csv) as the user-space matcher decides it; the kernel is
 * held to the same table by PrecedenceEnforcementTest.
 */
public class PrecedenceTableTest {
    static final String DIR = "/tmp/bulwark-precedence/etc/";
    /**
     * What a shell and its programs read, allowed beside every allow list (the kernel test runs the table's
     * commands in a container under the table's policies: with posture block it would stop them, with posture
     * audit its alerts would drown the one the row is about).
     */
    static final String SYSTEM = "{file: {matchDirectories: [{dir: /usr/, recursive: true, readOnly: true},"
            + " {dir: /etc/, recursive: true, readOnly: true}, {dir: /dev/, recursive: true},"
            + " {dir: /proc/, recursive: true}]}, action: Allow}";

    /** The specs of a row's policies: the table's, and SYSTEM after them where they are an allow list. */
    public static List<String> specs(String policies, String posture) {
        List<String> specs = new ArrayList<>();
        for (String spec : policies.split(";;")) {
            specs.add(spec.strip());
        }
        if (policies.contains("Allow")) {
            specs.add(SYSTEM);
        }
        return specs;
    }

    /** The table's policies, compiled for the host under the given file posture. */
    static RuleSet compile(String policies, String posture) {
        List<Policy> compiled = new ArrayList<>();
        String[] specs = specs(policies, posture).toArray(String[]::new);
        for (int i = 0; i < specs.length; i++) {
            compiled.add(RuleCompilerTest.hsp("p" + i, specs[i].substring(1, specs[i].length() - 1)));
        }
        Posture file = Posture.valueOf(posture);
        return RuleCompiler.compile(RuleCompilerTest.HOST, compiled,
                new RuleCompiler.Options(new Postures(file, Posture.audit, Posture.audit), true));
    }

    /** "policy index:field" of a rule, as the table names it. */
    static String named(RuleSet ruleSet, int rule) {
        if (rule == 0) {
            return "-";
        }
        RuleSet.RuleInfo info = ruleSet.rule(rule);
        return info.policy().substring(1) + ":" + info.field();
    }

    @ParameterizedTest(name = "{2} {3}s {4} {5}: {6}")
    @CsvFileSource(resources = "/precedence.csv", delimiter = '|')
    void theMatcherDecidesAsTheTableSays(String policies, String posture, String user, String program, String operation,
            String file, String decision, String rule) {
        RuleSet ruleSet = compile(policies, posture);
        Verdict verdict = new RuleMatcher(ruleSet).verdict(RuleClass.FILE, DIR + file, "/usr/bin/" + program,
                new Context(operation.equals("write"), user.equals("nobody"), false));
        assertEquals(decision, verdict.decision().name());
        assertEquals(rule, named(ruleSet, verdict.rule()));
    }
}
