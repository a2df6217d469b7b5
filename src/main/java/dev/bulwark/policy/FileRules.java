package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** `spec.file`: which files may (not) be opened, written, removed, renamed... */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileRules(
        List<Path> matchPaths,
        List<Directory> matchDirectories,
        List<Glob> matchPatterns,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Path(
            @Required @Pattern(Patterns.PATH) String path,
            Boolean readOnly,
            Boolean ownerOnly,
            Boolean pts,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Directory(
            @Required @Pattern(Patterns.DIRECTORY) String dir,
            Boolean recursive,
            Boolean readOnly,
            Boolean ownerOnly,
            Boolean pts,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Glob(
            @Required String pattern,
            Boolean readOnly,
            Boolean ownerOnly,
            Boolean pts,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }
}
