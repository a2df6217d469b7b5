package dev.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** `bulwark validate`: the examples pass; a broken copy of each fails with exit 1, naming the field. */
class ValidateCommandTest {
    /** One way to break each kind of line an example has; the first that applies is used. */
    static final List<Map.Entry<String, String>> BREAKS = List.of(
            Map.entry("(?m)^(\\s*-? ?path: )/", "$1"),
            Map.entry("(?m)^(\\s*-? ?dir: /.*)/$", "$1"),
            Map.entry("(?m)^(\\s*-? ?execname: )", "$1/bin/"),
            Map.entry("(?m)^(\\s*-? ?)pattern: ", "$1pattren: "),
            Map.entry("(?m)^(\\s*-? ?protocol: ).*$", "$1smtp"),
            Map.entry("(?m)^(\\s*-? ?capability: ).*$", "$1net_rawr"),
            Map.entry("(?m)^(\\s*-? ?domain: ).*$", "$1'not a domain'"),
            Map.entry("(?m)^(\\s*-? ?syscall: \\[)", "$1nosuchcall, "),
            Map.entry("(?m)^(\\s*-? ?name: )filelessExec", "$1fileless"),
            Map.entry("(?m)^(\\s*-? ?operator: )In$", "$1Exists"));

    static Stream<Path> examples() throws IOException {
        return GoldenCompileTest.examples();
    }

    record Run(int status, String out) {
    }

    static Run validate(String... files) {
        ValidateCommand command = new ValidateCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream previous = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            int status = new CommandLine(command).execute(files);
            return new Run(status, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(previous);
        }
    }

    @Test
    void allExamplesAreValid() throws IOException {
        Run run = validate(examples().map(Path::toString).toArray(String[]::new));
        assertEquals("", run.out());
        assertEquals(0, run.status());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void aBrokenCopyFailsAndNamesTheField(Path example, @TempDir Path dir) throws IOException {
        String text = Files.readString(example);
        String broken = null;
        for (Map.Entry<String, String> rule : BREAKS) {
            String candidate = text.replaceFirst(rule.getKey(), rule.getValue());
            if (!candidate.equals(text)) {
                broken = candidate;
                break;
            }
        }
        assertTrue(broken != null, "no way to break " + example);
        Path copy = dir.resolve(example.getFileName());
        Files.writeString(copy, broken);

        Run run = validate(copy.toString());
        assertEquals(1, run.status(), run.out());
        String name = text.replaceFirst("(?s).*\\n  name: (\\S+).*", "$1");
        assertTrue(run.out().startsWith(copy + ": " + name + ": spec."), run.out());
    }

    @Test
    void aFileThatDoesNotExistIsAnError() {
        Run run = validate("/nonexistent/policy.yaml");
        assertEquals(1, run.status());
        assertTrue(run.out().contains("cannot be read"), run.out());
    }
}
