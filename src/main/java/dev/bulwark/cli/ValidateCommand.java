package dev.bulwark.cli;

import dev.bulwark.policy.PolicyError;
import dev.bulwark.policy.PolicyReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints one line per error (`file: policy: field: message`); exit 0 when every policy is valid. */
@Command(name = "validate", description = "Validate KubeArmor policy files.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Override
    public Integer call() {
        int policies = 0;
        int errors = 0;
        for (Path file : files) {
            PolicyReader.Result result = PolicyReader.read(file);
            policies += result.policies().size();
            for (PolicyError error : result.errors()) {
                System.out.println(error);
                errors++;
            }
        }
        System.err.println(policies + " valid policies, " + errors + " errors");
        return errors == 0 ? 0 : 1;
    }
}
