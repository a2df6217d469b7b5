package dev.bulwark.cli;

import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * Entry point of the `bulwark` executable. `validate` and `compile` are plain commands that never start the
 * agent (no ports, no kernel); `run`, the default, boots the Quarkus application.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        int status = commandLine().execute(args);
        if (status != RunCommand.RAN) {
            System.exit(status);
        }
    }

    static CommandLine commandLine() {
        return new CommandLine(new BulwarkCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                // KubeArmor's flags look like options (-logPath=stdout); they are RunCommand's parameters.
                .setUnmatchedOptionsArePositionalParams(true);
    }
}
