package dev.bulwark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The glob grammar's table of cases (src/test/resources/globs/cases.tsv), read by both the user-space test and the
 * kernel test, so that the two are held to one statement of what each pattern matches.
 */
public final class GlobCases {
    /** One row: the pattern matches the path, or does not. */
    public record Case(String pattern, String path, boolean matches) {
    }

    private GlobCases() {
    }

    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = GlobCases.class.getResourceAsStream("/globs/cases.tsv")) {
            if (in == null) {
                throw new IllegalStateException("globs/cases.tsv is missing from the test resources");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t");
                if (fields.length != 3 || !fields[2].matches("yes|no")) {
                    throw new IllegalStateException("globs/cases.tsv: not pattern<TAB>path<TAB>yes|no: " + line);
                }
                cases.add(new Case(fields[0], fields[1], fields[2].equals("yes")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** The cases grouped by pattern, in the table's order. */
    public static Map<String, List<Case>> byPattern() {
        Map<String, List<Case>> byPattern = new LinkedHashMap<>();
        all().forEach(c -> byPattern.computeIfAbsent(c.pattern(), p -> new ArrayList<>()).add(c));
        return byPattern;
    }
}
