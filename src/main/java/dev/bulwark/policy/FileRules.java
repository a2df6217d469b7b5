package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
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
            @Required @Pattern(Patterns.PATH) @Size(max = Patterns.PATH_MAX) String path,
            Boolean readOnly,
            Boolean ownerOnly,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Directory(
            @Required @Pattern(Patterns.DIRECTORY) @Size(max = Patterns.PATH_MAX) String dir,
            Boolean recursive,
            Boolean readOnly,
            Boolean ownerOnly,
            List<Source> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Glob(
            @Required @Pattern(Patterns.GLOB) @Size(max = Patterns.PATH_MAX) String pattern,
            Boolean readOnly,
            Boolean ownerOnly,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }
}
