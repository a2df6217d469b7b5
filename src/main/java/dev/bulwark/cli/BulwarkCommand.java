package dev.bulwark.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `bulwark` alone runs the agent, as `bulwark run` does. */
@Command(name = "bulwark", mixinStandardHelpOptions = true, version = "bulwark 0.1.0",
        description = "KubeArmor-compatible runtime security agent.",
        subcommands = {RunCommand.class, ValidateCommand.class, CompileCommand.class, HookCommand.class})
final class BulwarkCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "-key=value", description = "KubeArmor flags for `run`.")
    List<String> flags = List.of();

    @Override
    public Integer call() {
        RunCommand run = new RunCommand();
        run.flags = flags;
        return run.call();
    }
}
