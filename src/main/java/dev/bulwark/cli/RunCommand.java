package dev.bulwark.cli;

import dev.bulwark.agent.Agent;
import io.quarkus.runtime.Quarkus;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Starts the agent. Settings come from the usual Quarkus sources (application.properties, -D, environment);
 * KubeArmor-style flags such as {@code -defaultFilePosture=block} are accepted too and become
 * {@code bulwark.defaultFilePosture}.
 */
@Command(name = "run", description = "Run the agent (the default).")
final class RunCommand implements Callable<Integer> {
    /** Status meaning "the agent ran and has exited"; Quarkus has already set the process exit code. */
    static final int RAN = -1;

    @Parameters(arity = "0..*", paramLabel = "-key=value", description = "KubeArmor flags, e.g. -logPath=stdout")
    List<String> flags = List.of();

    @Override
    public Integer call() {
        for (String flag : flags) {
            String setting = flag.replaceFirst("^--?", "");
            int eq = setting.indexOf('=');
            if (eq <= 0 || setting.length() == flag.length()) {
                System.err.println("bulwark run: " + flag + ": expected -key=value");
                return 2;
            }
            System.setProperty("bulwark." + setting.substring(0, eq), setting.substring(eq + 1));
        }
        Quarkus.run(Agent.class);
        return RAN;
    }
}
