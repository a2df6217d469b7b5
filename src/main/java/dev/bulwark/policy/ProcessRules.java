package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** `spec.process`: which executables may (not) be run. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProcessRules(
        List<Path> matchPaths,
        List<Directory> matchDirectories,
        List<Glob> matchPatterns,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {

    /** One executable, named by absolute path or by bare name (execname); exactly one of the two. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Path(
            @Pattern(Patterns.PATH) String path,
            @Pattern(Patterns.EXEC_NAME) String execname,
            Boolean ownerOnly,
            /** With `matchArgs`: the exec is allowed only with exactly these arguments. */
            @Size(max = 20) List<String> allowedArgs,
            /** Only when the process has a controlling pseudo-terminal (an interactive session). */
            Boolean pts,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }

    /** Every executable in a directory; with `recursive` also in its subdirectories. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Directory(
            @Required @Pattern(Patterns.DIRECTORY) String dir,
            Boolean recursive,
            Boolean ownerOnly,
            Boolean pts,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }

    /** Executables whose path matches a glob. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Glob(
            @Required String pattern,
            Boolean ownerOnly,
            Boolean pts,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }
}
