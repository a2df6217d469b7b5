package dev.bulwark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.bulwark.compile.GlobAutomaton;
import dev.bulwark.compile.PathResolver;
import dev.bulwark.compile.PolicySelection;
import dev.bulwark.compile.RuleCompiler;
import dev.bulwark.compile.RuleSet;
import dev.bulwark.config.HostName;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyError;
import dev.bulwark.policy.PolicyReader;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints, as JSON, the rule set the kernel would receive for one endpoint: the host (default, or --host with
 * --labels as node labels) or, with --namespace or --labels alone, a container.
 */
@Command(name = "compile", description = "Print the rule set an endpoint would get from these policies.")
final class CompileCommand implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Option(names = "--host", paramLabel = "NAME", description = "Host name (default: this machine's).")
    String host;

    @Option(names = "--namespace", paramLabel = "NS", description = "Compile for a container in this namespace.")
    String namespace;

    @Option(names = "--labels", paramLabel = "k=v,...", split = ",", description = "Container (or node) labels.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--container", paramLabel = "NAME", description = "Container name (default: main).")
    String container = "main";

    @Option(names = "--file-posture", defaultValue = "audit") Posture filePosture;
    @Option(names = "--network-posture", defaultValue = "audit") Posture networkPosture;
    @Option(names = "--capabilities-posture", defaultValue = "audit") Posture capabilitiesPosture;
    @Option(names = "--no-match-args", negatable = true, defaultValue = "true",
            description = "Enforce allowedArgs (default: yes).")
    boolean matchArgs = true;
    @Option(names = "--max-glob-states", defaultValue = "65536",
            description = "Most states of the glob automaton (bulwark.maxGlobStates).")
    int maxGlobStates = RuleCompiler.Options.DEFAULT_MAX_GLOB_STATES;

    PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        List<Policy> policies = new ArrayList<>();
        boolean valid = true;
        for (Path file : files) {
            PolicyReader.Result result = PolicyReader.read(file);
            result.errors().stream().map(PolicyError::toString).forEach(System.err::println);
            valid &= result.valid();
            policies.addAll(result.policies());
        }
        if (!valid) {
            return 1;
        }
        Endpoint endpoint = endpoint();
        RuleSet ruleSet;
        try {
            ruleSet = RuleCompiler.compile(endpoint, PolicySelection.applicable(policies, endpoint),
                    new RuleCompiler.Options(new Postures(filePosture, networkPosture, capabilitiesPosture),
                            matchArgs, PathResolver.NONE, maxGlobStates));
        } catch (GlobAutomaton.TooLarge e) {
            System.err.println(e.getMessage());
            return 1;
        }
        out.println(JSON.writeValueAsString(ruleSet));
        return 0;
    }

    private Endpoint endpoint() {
        boolean forContainer = namespace != null || (host == null && !labels.isEmpty());
        if (!forContainer) {
            return Endpoint.host(host != null ? host : HostName.local(), labels);
        }
        return Endpoint.container(namespace != null ? namespace : PolicyReader.DEFAULT_NAMESPACE, "pod", container,
                labels, new KernelIdentity(1, 1));
    }
}
