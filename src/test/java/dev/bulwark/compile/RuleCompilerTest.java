package dev.bulwark.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.compile.RuleSet.Entry;
import dev.bulwark.compile.RuleSet.Flag;
import dev.bulwark.compile.RuleSet.Match;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.RuleInfo;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Posture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Normalisation, expansion, whitelist modes and merging, on the compiler's output. */
class RuleCompilerTest {
    static final Endpoint HOST = Endpoint.host("node-1", Map.of());
    static final RuleCompiler.Options DEFAULTS = new RuleCompiler.Options(RuleCompiler.Postures.AUDIT, true);

    static Policy hsp(String name, String spec) {
        return PolicySelectionTest.policy("KubeArmorHostPolicy", "",
                "{nodeSelector: {matchLabels: {kubearmor.io/hostname: '*'}}, " + spec + "}")
                .withName(name);
    }

    static RuleSet compile(RuleCompiler.Options options, Policy... policies) {
        return RuleCompiler.compile(HOST, List.of(policies), options);
    }

    static Entry entry(RuleSet set, RuleClass ruleClass, String target, String source) {
        return set.entries().stream()
                .filter(e -> e.key().ruleClass() == ruleClass && e.key().target().equals(target)
                        && e.key().source().equals(source))
                .findFirst().orElseThrow(() -> new AssertionError("no entry " + target + " in " + set.entries()));
    }

    static RuleInfo rule(RuleSet set, int id) {
        return set.rules().get(id - 1);
    }

    @Test
    void rulesInheritFromTheirBlockThenTheSpecAndActionDefaultsToBlock() {
        RuleSet set = compile(DEFAULTS, hsp("p", """
                severity: 2, tags: [s], message: spec,
                file: {severity: 5, message: block, matchPaths: [{path: /a}, {path: /b, severity: 9, tags: [r],
                  message: rule, action: audit}]},
                process: {matchPaths: [{path: /bin/x}]}"""));
        RuleInfo fileA = rule(set, entry(set, RuleClass.FILE, "/a", "").block().rule());
        assertEquals(5, fileA.severity());
        assertEquals(List.of("s"), fileA.tags());
        assertEquals("block", fileA.message());
        assertEquals(Action.Block, fileA.action(), "no action anywhere: Block");
        RuleInfo fileB = rule(set, entry(set, RuleClass.FILE, "/b", "").audit().rule());
        assertEquals(new RuleInfo(fileB.id(), fileB.kind(), "p", "spec.file.matchPaths[1]", 9, List.of("r"), "rule",
                Action.Audit), fileB, "lower-case action normalised");
        RuleInfo process = rule(set, entry(set, RuleClass.PROCESS, "/bin/x", "").block().rule());
        assertEquals(2, process.severity());
        assertEquals("spec", process.message());
    }

    @Test
    void commaListsBecomeOneKeyEachUnderOneRule() {
        RuleSet set = compile(DEFAULTS, hsp("p", """
                network: {matchProtocols: [{protocol: 'TCP, udp', fromSource: [{path: /bin/a}, {path: /bin/b}]}]},
                capabilities: {matchCapabilities: [{capability: 'net_raw,CAP_sys_admin', fromSource: [{path: /bin/a}]}]}"""));
        int protocolRule = entry(set, RuleClass.NETWORK, "tcp", "/bin/a").block().rule();
        for (String protocol : List.of("tcp", "udp")) {
            for (String source : List.of("/bin/a", "/bin/b")) {
                assertEquals(protocolRule, entry(set, RuleClass.NETWORK, protocol, source).block().rule());
            }
        }
        assertEquals(Match.CAPABILITY, entry(set, RuleClass.CAPABILITIES, "CAP_NET_RAW", "/bin/a").key().match());
        assertEquals(entry(set, RuleClass.CAPABILITIES, "CAP_NET_RAW", "/bin/a").block(),
                entry(set, RuleClass.CAPABILITIES, "CAP_SYS_ADMIN", "/bin/a").block());
        assertEquals(2, set.rules().size(), "two rules, six keys");
        assertEquals(6, set.entries().size());
    }

    @Test
    void whitelistModeIsPerClassAndProcessSharesTheFilePosture() {
        RuleCompiler.Options postures = new RuleCompiler.Options(
                new RuleCompiler.Postures(Posture.block, Posture.audit, Posture.block), true);
        RuleSet set = compile(postures, hsp("p", """
                process: {matchPaths: [{path: /bin/ok, action: Allow}]},
                file: {matchPaths: [{path: /etc/x, action: Block}]},
                network: {matchDNSQueries: [{domain: example.com, action: Allow}]},
                capabilities: {matchCapabilities: [{capability: kill, fromSource: [{path: /bin/k}], action: Allow}]}"""));
        assertEquals(new RuleSet.Mode(true, Posture.block), set.modes().get(RuleClass.PROCESS));
        assertEquals(new RuleSet.Mode(false, Posture.block), set.modes().get(RuleClass.FILE));
        assertEquals(new RuleSet.Mode(false, Posture.audit), set.modes().get(RuleClass.NETWORK));
        assertEquals(new RuleSet.Mode(true, Posture.audit), set.modes().get(RuleClass.DNS));
        assertEquals(new RuleSet.Mode(true, Posture.block), set.modes().get(RuleClass.CAPABILITIES));
    }

    @Test
    void auditRulesDoNotSwitchOnWhitelistMode() {
        RuleSet set = compile(DEFAULTS, hsp("p", "action: Audit, file: {matchPaths: [{path: /x}]}"));
        assertFalse(set.modes().get(RuleClass.FILE).whitelist());
        assertTrue(set.modes().values().stream().noneMatch(RuleSet.Mode::whitelist));
    }

    @Test
    void oneKeyKeepsARulePerActionAndFewerConditionsWin() {
        RuleSet set = compile(DEFAULTS,
                hsp("a", "file: {matchPaths: [{path: /etc/x, readOnly: true, action: Allow},"
                        + " {path: /etc/y, ownerOnly: true, readOnly: true}]}"),
                hsp("b", "file: {matchPaths: [{path: /etc/x, action: Allow}, {path: /etc/x, action: Block},"
                        + " {path: /etc/y, readOnly: true}]}"));
        Entry x = entry(set, RuleClass.FILE, "/etc/x", "");
        assertEquals(Set.of(), x.allow().flags(), "the unconditional Allow of b beats a's read-only one");
        assertEquals("b", rule(set, x.allow().rule()).policy());
        assertEquals("b", rule(set, x.block().rule()).policy(), "Block and Allow both kept: Block wins in the kernel");
        assertNull(x.audit());
        Entry y = entry(set, RuleClass.FILE, "/etc/y", "");
        assertEquals(Set.of(Flag.READ_ONLY), y.block().flags(), "the Block with fewer exemptions wins");
    }

    @Test
    void syscallRulesAreAlwaysAuditAndPresetsInheritTheSpecAction() {
        RuleSet set = compile(DEFAULTS, hsp("p", """
                action: Allow, severity: 4,
                syscalls: {message: watched, matchSyscalls: [{syscall: [unlinkat, rmdir], fromSource: [{dir: /bin/}]}],
                  matchPaths: [{path: /tmp/, recursive: true, syscall: [unlink], severity: 8}]},
                presets: [{name: filelessExec}, {name: protectEnv, action: Audit}]"""));
        assertEquals(2, set.syscalls().size());
        RuleSet.SyscallMatcher first = set.syscalls().get(0);
        assertEquals(List.of("SYS_UNLINKAT", "SYS_RMDIR"), first.syscalls());
        assertEquals(Action.Audit, rule(set, first.rule()).action());
        assertEquals("watched", rule(set, first.rule()).message());
        assertEquals(4, rule(set, first.rule()).severity());
        RuleSet.SyscallMatcher second = set.syscalls().get(1);
        assertEquals("/tmp/", second.path());
        assertTrue(second.recursive());
        assertEquals(8, rule(set, second.rule()).severity());
        assertEquals(List.of(new RuleSet.PresetEntry("filelessExec", Action.Allow, 3),
                new RuleSet.PresetEntry("protectEnv", Action.Audit, 4)), set.presets());
        assertTrue(set.entries().isEmpty());
    }

    @Test
    void allowedArgsFollowMatchArgs() {
        Policy policy = hsp("p", "process: {matchPaths: [{path: /bin/ls, allowedArgs: [-l, /tmp], pts: true,"
                + " ownerOnly: true}]}");
        Entry on = entry(compile(DEFAULTS, policy), RuleClass.PROCESS, "/bin/ls", "");
        assertEquals(List.of("-l", "/tmp"), on.block().args());
        assertEquals(Set.of(Flag.OWNER_ONLY, Flag.PTS), on.block().flags());
        RuleSet off = compile(new RuleCompiler.Options(RuleCompiler.Postures.AUDIT, false), policy);
        assertEquals(List.of(), entry(off, RuleClass.PROCESS, "/bin/ls", "").block().args());
        assertEquals(List.of("p: spec.process.matchPaths[0].allowedArgs: ignored, matchArgs is off"), off.notEnforced());
    }

    @Test
    void keysAreCanonicalAndOutputDoesNotDependOnInputOrder() {
        Policy a = hsp("a", "file: {matchDirectories: [{dir: //var//log/, recursive: true}],"
                + " matchPatterns: [{pattern: /tmp/*.sh}]}, process: {matchPaths: [{execname: nc}]}");
        Policy b = hsp("b", "network: {matchDNSQueries: [{domain: Example.COM.}]}");
        RuleSet forward = compile(DEFAULTS, a, b);
        assertEquals(forward, compile(DEFAULTS, b, a));
        assertEquals(Match.DIRECTORY_RECURSIVE, entry(forward, RuleClass.FILE, "/var/log/", "").key().match());
        assertEquals(Match.GLOB, entry(forward, RuleClass.FILE, "/tmp/*.sh", "").key().match());
        assertEquals(Match.EXEC_NAME, entry(forward, RuleClass.PROCESS, "nc", "").key().match());
        assertEquals(Match.DOMAIN, entry(forward, RuleClass.DNS, "example.com", "").key().match());
        List<Integer> ids = new ArrayList<>();
        forward.rules().forEach(r -> ids.add(r.id()));
        assertEquals(List.of(1, 2, 3, 4), ids);
        assertEquals("a", rule(forward, 1).policy());
        assertEquals("b", rule(forward, 4).policy());
    }
}
