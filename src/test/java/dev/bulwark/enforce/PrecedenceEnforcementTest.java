package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.compile.PolicySelection;
import dev.bulwark.compile.PrecedenceTableTest;
import dev.bulwark.compile.RuleCompiler;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Posture;
import dev.bulwark.policy.TestPolicies;
import dev.bulwark.settings.Postures;
import dev.bulwark.telemetry.Alert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvFileSource;

/**
 * The precedence table (src/test/resources/precedence.csv) in the kernel: every rule that applies counts,
 * across keys, sources, conditions and policies. PrecedenceTableTest holds the user-space matcher to the same
 * table.
 */
class PrecedenceEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-precedence/etc");

    @BeforeEach
    void files() throws Exception {
        reset();
        assertEquals(0, run("/usr/bin/rm", "-rf", DIR.getParent().toString()));
        Files.createDirectories(DIR.resolve("sub"));
        UserPrincipalLookupService users = DIR.getFileSystem().getUserPrincipalLookupService();
        for (String file : List.of("shadow", "hosts", "app.conf", "sub/file")) {
            Path path = DIR.resolve(file);
            Files.writeString(path, "data\n");
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.setOwner(path, users.lookupPrincipalByName("nobody"));
        }
        alerts.clear();
    }

    @ParameterizedTest(name = "{2} {3}s {4} {5}: {6}")
    @CsvFileSource(resources = "/precedence.csv", delimiter = '|')
    void theKernelDecidesAsTheTableSays(String policies, String posture, String user, String program, String operation,
            String file, String decision, String rule) throws Exception {
        String path = DIR.resolve(file).toString();
        String command = operation.equals("write") ? "echo x >> " + path : "/usr/bin/" + program + " " + path;
        if (operation.equals("write") && !program.equals("cat")) {
            throw new IllegalArgumentException("writes are made by the shell");
        }
        String line = user.equals("nobody") ? "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups"
                + " /usr/bin/bash -c '" + command + "'" : command;
        int status = status(inContainer(PrecedenceTableTest.specs(policies, posture), Posture.valueOf(posture), line));
        boolean denied = decision.equals("BLOCKED") || decision.equals("POSTURE_BLOCKED");
        assertEquals(denied, status != 0, command + " as " + user + " exited " + status);
        if (decision.equals("BLOCKED") || decision.startsWith("POSTURE")) {
            Alert alert = alert(on(path));
            assertEquals(denied ? "Permission denied" : "Passed", alert.result());
            String named = rule.equals("-") ? "DefaultPosture" : "p" + rule.substring(0, rule.indexOf(':'));
            assertEquals(named, alert.policyName(), "the policy the alert names");
        }
    }

    /**
     * Runs the command line in a sandboxed container under the table's policies (as KubeArmorPolicies selecting
     * it): an allow list with posture block would stop this JVM itself on the host.
     */
    String inContainer(List<String> specs, Posture filePosture, String commandLine) throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            Endpoint container = sandbox.endpoint(Map.of("app", "precedence"));
            List<Policy> parsed = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                parsed.add(TestPolicies.read("KubeArmorPolicy", "p" + i, "test",
                        "{selector: {matchLabels: {app: precedence}}, " + specs.get(i).substring(1)));
            }
            enforcer.apply(RuleCompiler.compile(container, PolicySelection.applicable(parsed, container),
                    new RuleCompiler.Options(new Postures(filePosture, Posture.audit, Posture.audit),
                            true)));
            try {
                return sandbox.run(commandLine);
            } finally {
                enforcer.remove(container);
            }
        }
    }
}
