package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** `spec.syscalls`: system calls to report (always Audit; the monitor matches them in user space). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyscallRules(
        List<SyscallMatch> matchSyscalls,
        List<SyscallPathMatch> matchPaths,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message) {

    /** Who made the call: an executable path, or any executable in a directory (optionally recursive). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SyscallSource(
            @Pattern(Patterns.PATH) @Size(max = Patterns.PATH_MAX) String path,
            @Pattern(Patterns.DIRECTORY) @Size(max = Patterns.PATH_MAX) String dir,
            Boolean recursive) {
    }

    /** These system calls, made by anyone or by the listed sources. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SyscallMatch(
            List<Syscall> syscall,
            List<SyscallSource> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message) {
    }

    /** These system calls when they act on a path (a file, or a directory and optionally its subtree). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SyscallPathMatch(
            @Pattern(Patterns.PATH_OR_DIRECTORY) @Size(max = Patterns.PATH_MAX) String path,
            Boolean recursive,
            List<Syscall> syscall,
            List<SyscallSource> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message) {
    }
}
