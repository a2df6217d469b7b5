package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

/** `spec.syscalls`: system calls to report (always Audit; the monitor matches them in user space). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SyscallRules(
        List<SyscallMatch> matchSyscalls,
        List<SyscallPathMatch> matchPaths,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message) {

    /**
     * Who made the call: an executable path, or any executable in a directory (optionally recursive). A dir
     * without its trailing slash is the directory all the same, as upstream has it (upstream's schema leaves dir
     * free).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SyscallSource(
            @Pattern(Patterns.PATH) String path,
            String dir,
            Boolean recursive) {
        public SyscallSource {
            if (dir != null && !dir.isEmpty() && !dir.endsWith("/")) {
                dir = dir + "/";
            }
        }
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
            @Pattern(Patterns.PATH_OR_DIRECTORY) String path,
            Boolean recursive,
            List<Syscall> syscall,
            List<SyscallSource> fromSource,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message) {
    }
}
