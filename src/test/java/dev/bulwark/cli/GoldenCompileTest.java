package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * `bulwark compile` of every example, for the endpoint its `# compile:` comment names, must equal the pinned
 * output under src/test/resources/golden. Run with -Dbulwark.golden.update=true to re-pin after a deliberate
 * change, and review the diff.
 */
class GoldenCompileTest {
    static final Path EXAMPLES = Path.of("examples");
    static final Path GOLDEN = Path.of("src/test/resources/golden");

    static Stream<Path> examples() throws IOException {
        return Files.list(EXAMPLES).filter(p -> p.toString().endsWith(".yaml")).sorted();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void compiledRuleSetMatchesTheGoldenFile(Path example) throws IOException {
        String header = Files.readAllLines(example).stream().filter(l -> l.startsWith("# compile:")).findFirst()
                .orElseThrow(() -> new AssertionError(example + " has no '# compile:' line"));
        List<String> args = new ArrayList<>(Arrays.asList(header.substring("# compile:".length()).trim().split("\\s+")));
        args.add(example.toString());

        CompileCommand command = new CompileCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        command.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args.toArray(String[]::new));
        assertEquals(0, status, "compile failed for " + example);
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("\"rules\""), output);

        Path golden = GOLDEN.resolve(example.getFileName().toString().replace(".yaml", ".json"));
        if (Boolean.getBoolean("bulwark.golden.update")) {
            Files.writeString(golden, output);
        }
        assertTrue(Files.exists(golden), golden + " missing: run with -Dbulwark.golden.update=true");
        assertEquals(Files.readString(golden), output, "rule set of " + example + " changed");
    }
}
