package dev.bulwark.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.compile.RuleSet;
import dev.bulwark.settings.Throttle;
import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the Java layouts to bpf/bulwark.h (and the fields read of the kernel's struct bpf_prog_info to
 * linux/bpf.h): a C program built against the headers prints every struct size, field offset and enum value,
 * and each must equal what the Java side assumes.
 */
class KernelLayoutTest {
    static final Map<String, StructLayout> STRUCTS = Map.ofEntries(
            Map.entry("monitor_config", KernelLayout.MONITOR_CONFIG),
            Map.entry("visibility", KernelLayout.VISIBILITY),
            Map.entry("pending_syscall", KernelLayout.PENDING_SYSCALL),
            Map.entry("monitor_event", KernelLayout.MONITOR_EVENT),
            Map.entry("endpoint_key", KernelLayout.ENDPOINT_KEY),
            Map.entry("rule_key", KernelLayout.RULE_KEY),
            Map.entry("pidns_owner", KernelLayout.PIDNS_OWNER),
            Map.entry("task_identity", KernelLayout.TASK_IDENTITY),
            Map.entry("hash_key", KernelLayout.HASH_KEY),
            Map.entry("rule_value", KernelLayout.RULE_VALUE),
            Map.entry("endpoint_modes", KernelLayout.ENDPOINT_MODES),
            Map.entry("event", KernelLayout.EVENT),
            Map.entry("subject", KernelLayout.SUBJECT),
            Map.entry("exec_args", KernelLayout.EXEC_ARGS),
            Map.entry("throttle_config", KernelLayout.THROTTLE_CONFIG),
            Map.entry("throttle_window", KernelLayout.THROTTLE_WINDOW),
            Map.entry("throttle_state", KernelLayout.THROTTLE_STATE),
            Map.entry("suppressed_key", KernelLayout.SUPPRESSED_KEY),
            Map.entry("self_identity", KernelLayout.SELF_IDENTITY));

    @Test
    void javaLayoutsMatchTheHeader(@TempDir Path dir) throws IOException, InterruptedException {
        Map<String, Long> expected = new LinkedHashMap<>();
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/types.h>
                #include <linux/bpf.h>
                #include "bulwark.h"
                int main(void) {
                """);
        STRUCTS.forEach((name, layout) -> {
            line(c, expected, "sizeof " + name, "sizeof(struct " + name + ")", layout.byteSize());
            for (MemoryLayout member : layout.memberLayouts()) {
                String field = member.name().orElseThrow();
                line(c, expected, name + "." + field, "offsetof(struct " + name + ", " + field + ")",
                        KernelLayout.offset(layout, field));
            }
        });
        line(c, expected, "BULWARK_PATH_MAX", "BULWARK_PATH_MAX", KernelLayout.PATH_MAX);
        line(c, expected, "BULWARK_EVENT_PATH", "BULWARK_EVENT_PATH", KernelLayout.EVENT_PATH);
        line(c, expected, "BULWARK_ARG_MAX", "BULWARK_ARG_MAX", KernelLayout.ARG_MAX);
        line(c, expected, "BULWARK_MONITOR_ARGV", "BULWARK_MONITOR_ARGV", KernelLayout.MONITOR_ARGV);
        line(c, expected, "BULWARK_MONITOR_DATA", "BULWARK_MONITOR_DATA", KernelLayout.MONITOR_DATA);
        line(c, expected, "BW_CLASS_COUNT", "BW_CLASS_COUNT", KernelLayout.CLASS_COUNT);
        for (RuleSet.RuleClass ruleClass : RuleSet.RuleClass.values()) {
            line(c, expected, "class " + ruleClass, "BW_CLASS_" + (ruleClass == RuleSet.RuleClass.CAPABILITIES
                    ? "CAPABILITIES" : ruleClass.name()), ruleClass.ordinal());
        }
        for (RuleSet.Match match : RuleSet.Match.values()) {
            line(c, expected, "match " + match, "BW_MATCH_" + match.name(), match.ordinal());
        }
        line(c, expected, "BW_CONTEXTS", "BW_CONTEXTS", KernelLayout.CONTEXTS);
        line(c, expected, "BW_RULE_ARGS", "BW_RULE_ARGS", Integer.toUnsignedLong(KernelLayout.RULE_ARGS));
        line(c, expected, "BW_RULE_SELF", "BW_RULE_SELF", Integer.toUnsignedLong(KernelLayout.RULE_SELF));
        line(c, expected, "BW_MIX", "BW_MIX", KernelLayout.MIX);
        line(c, expected, "BW_GLOB_SHIFT", "BW_GLOB_SHIFT", KernelLayout.GLOB_SHIFT);
        line(c, expected, "BW_GLOB_OTHER", "BW_GLOB_OTHER", KernelLayout.GLOB_OTHER);
        line(c, expected, "BW_GLOB_RULES", "BW_GLOB_RULES", KernelLayout.GLOB_RULES);
        line(c, expected, "BW_GLOB_ANCESTOR", "BW_GLOB_ANCESTOR", KernelLayout.GLOB_ANCESTOR);
        line(c, expected, "BW_GLOB_START", "BW_GLOB_START", KernelLayout.GLOB_START);
        line(c, expected, "BW_GLOB_MAX_STATE", "BW_GLOB_MAX_STATE", KernelLayout.GLOB_MAX_STATE);
        line(c, expected, "sizeof glob_key", "sizeof(glob_key)", KernelLayout.GLOB_KEY_SIZE);
        line(c, expected, "sizeof glob_value", "sizeof(glob_value)", KernelLayout.GLOB_VALUE_SIZE);
        line(c, expected, "BW_CTX_WRITE", "BW_CTX_WRITE", new RuleSet.Context(true, false, false).index());
        line(c, expected, "BW_CTX_OWNER", "BW_CTX_OWNER", new RuleSet.Context(false, true, false).index());
        line(c, expected, "BW_CTX_TTY", "BW_CTX_TTY", new RuleSet.Context(false, false, true).index());
        line(c, expected, "contexts", "BW_CONTEXTS", RuleSet.Context.ALL.size());
        List<String> unnamed = List.of("TOO_LONG", "DISCONNECTED", "DETACHED", "NOT_READABLE", "MALFORMED",
                "HANDMADE");
        for (int reason = 1; reason <= KernelLayout.UNNAMED.size(); reason++) {
            line(c, expected, "BW_UNNAMED_" + unnamed.get(reason - 1), "BW_UNNAMED_" + unnamed.get(reason - 1), reason);
        }
        List.of("DECISION_BLOCKED:" + KernelLayout.DECISION_BLOCKED, "DECISION_GUARDED:" + KernelLayout.DECISION_GUARDED,
                "DECISION_SELF:" + KernelLayout.DECISION_SELF, "OBJECT_MAP:" + dev.bulwark.bpf.Bpf.ObjectId.MAP,
                "OBJECT_PROG:" + dev.bulwark.bpf.Bpf.ObjectId.PROG, "OBJECT_LINK:" + dev.bulwark.bpf.Bpf.ObjectId.LINK,
                "DECISION_AUDITED:" + KernelLayout.DECISION_AUDITED,
                "DECISION_POSTURE_BLOCKED:" + KernelLayout.DECISION_POSTURE_BLOCKED,
                "DECISION_POSTURE_AUDITED:" + KernelLayout.DECISION_POSTURE_AUDITED,
                "DECISION_THRESHOLD:" + KernelLayout.DECISION_THRESHOLD,
                "BUDGET_POLICY:" + dev.bulwark.settings.Throttle.Budget.POLICY.ordinal(),
                "BUDGET_POSTURE:" + dev.bulwark.settings.Throttle.Budget.POSTURE.ordinal(),
                "BUDGET_POLICY:" + KernelLayout.BUDGET_POLICY, "BUDGET_POSTURE:" + KernelLayout.BUDGET_POSTURE,
                "HOOK_BPRM_CHECK:" + KernelLayout.HOOK_BPRM_CHECK,
                "MONITOR_EXEC:" + KernelLayout.MONITOR_EXEC, "MONITOR_FORK:" + KernelLayout.MONITOR_FORK,
                "MONITOR_EXIT:" + KernelLayout.MONITOR_EXIT, "MONITOR_SYSCALL:" + KernelLayout.MONITOR_SYSCALL,
                "SCOPE_HOST:" + KernelLayout.SCOPE_HOST, "SCOPE_CONTAINER:" + KernelLayout.SCOPE_CONTAINER,
                "SCOPE_COUNT:" + KernelLayout.SCOPE_COUNT, "NET_PROTOCOL:" + KernelLayout.NET_PROTOCOL,
                "NET_TYPE:" + KernelLayout.NET_TYPE, "NET_ALL:" + KernelLayout.NET_ALL)
                .forEach(pair -> {
                    String[] parts = pair.split(":");
                    String symbol = "BW_" + parts[0];
                    line(c, expected, symbol, symbol, Long.parseLong(parts[1]));
                });
        List<String> presetSymbols = List.of("FILELESS_EXEC", "ANON_MAP_EXEC", "PROTECT_ENV", "PROTECT_PROC",
                "EXEC");
        for (int preset = 0; preset < KernelLayout.PRESETS.size(); preset++) {
            line(c, expected, "preset " + KernelLayout.PRESETS.get(preset), "BW_PRESET_" + presetSymbols.get(preset),
                    preset);
        }
        line(c, expected, "BW_PRESET_COUNT", "BW_PRESET_COUNT", KernelLayout.PRESETS.size());
        for (int hook = 1; hook <= KernelLayout.HOOKS.size(); hook++) {
            String name = "BW_HOOK_" + KernelLayout.HOOKS.get(hook - 1).replace("SECURITY_", "");
            line(c, expected, name, name, hook);
        }
        // The kernel's own struct, read by prefix: the fields read must sit where its uAPI header puts them.
        for (String field : List.of("run_time_ns", "run_cnt")) {
            line(c, expected, "bpf_prog_info." + field, "offsetof(struct bpf_prog_info, " + field + ")",
                    KernelLayout.offset(KernelLayout.BPF_PROG_INFO, field));
        }
        c.append("return 0; }\n");

        Path source = dir.resolve("layout.c");
        Files.writeString(source, c);
        Path binary = dir.resolve("layout");
        run(dir, "cc", "-I", Path.of("bpf").toAbsolutePath().toString(), "-o", binary.toString(), source.toString());
        Map<String, Long> actual = new LinkedHashMap<>();
        for (String line : run(dir, binary.toString()).split("\n")) {
            int eq = line.lastIndexOf('=');
            actual.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        assertEquals(expected, actual);
    }

    private static void line(StringBuilder c, Map<String, Long> expected, String label, String expression,
            long javaValue) {
        c.append("printf(\"%s=%ld\\n\", \"").append(label).append("\", (long)(").append(expression).append("));\n");
        expected.put(label, javaValue);
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
