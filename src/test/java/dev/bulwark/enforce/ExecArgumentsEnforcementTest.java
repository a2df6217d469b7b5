package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.compile.RuleCompiler;
import dev.bulwark.policy.Posture;
import dev.bulwark.telemetry.Alert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * allowedArgs in a real kernel: an Allow for a program holds only for its exact arguments (recorded at the
 * exec system call, compared at the LSM decision). In a sandbox, since an allow list with posture block denies
 * every other program.
 */
class ExecArgumentsEnforcementTest extends KernelScenarios {
    static final RuleCompiler.Postures PROCESS_BLOCK =
            new RuleCompiler.Postures(Posture.block, Posture.audit, Posture.audit);
    static final String LONG = "a".repeat(300);

    @BeforeEach
    void clean() {
        reset();
    }

    /** Runs the command line in a sandbox where /usr/bin/echo is allowed with these arguments only. */
    String withAllowedArgs(String allowedArgs, RuleCompiler.Postures postures, String commandLine) throws Exception {
        return inSandbox("{process: {matchPaths: [{path: /usr/bin/echo, allowedArgs: " + allowedArgs + "}]},"
                + " action: Allow}", postures, sandbox -> sandbox.run(commandLine));
    }

    @Test
    void onlyTheListedArgumentsAreAllowed() throws Exception {
        String output = withAllowedArgs("[hello, 'big world']", PROCESS_BLOCK, "/usr/bin/echo hello 'big world'; echo a=$?;"
                + " /usr/bin/echo hello; echo b=$?; /usr/bin/echo hello 'big world' again; echo c=$?;"
                + " /usr/bin/echo 'big world' hello; echo d=$?; /usr/bin/true; echo e=$?");
        assertTrue(output.contains("hello big world\na=0"), output);
        for (String denied : new String[] {"b=126", "c=126", "d=126", "e=126"}) {
            assertTrue(output.contains(denied), denied + " in " + output);
        }
        Alert alert = alert(on("/usr/bin/echo"));
        assertEquals("DefaultPosture", alert.policyName());
        assertEquals("Block", alert.action());
    }

    @Test
    void anArgumentTooLongToCompareFailsClosed() throws Exception {
        String output = withAllowedArgs("['" + LONG + "']", PROCESS_BLOCK, "/usr/bin/echo " + LONG + " > /dev/null;"
                + " echo long=$?");
        assertTrue(output.contains("long=126"), output);
        assertTrue(notes.stream().anyMatch(n -> n.contains("never matches (fail closed)")), notes.toString());
    }

    @Test
    void otherArgumentsUnderPostureAuditAreReportedAndRun() throws Exception {
        String output = withAllowedArgs("[hello]", AUDIT, "/usr/bin/echo goodbye; echo status=$?");
        assertTrue(output.contains("goodbye\nstatus=0"), output);
        Alert alert = alert(on("/usr/bin/echo"));
        assertEquals("DefaultPosture", alert.policyName());
        assertEquals("Audit", alert.action());
        assertEquals("MatchedPolicy", alert.type());
    }
}
