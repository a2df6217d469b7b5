package dev.bulwark.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.compile.RuleSet.Context;
import dev.bulwark.compile.RuleSet.Entry;
import dev.bulwark.compile.RuleSet.Flag;
import dev.bulwark.compile.RuleSet.Match;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.compile.RuleSet.RuleInfo;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.Posture;
import dev.bulwark.settings.Postures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Normalisation, expansion, whitelist modes and merging, on the compiler's output. */
class RuleCompilerTest {
    static final Endpoint HOST = Endpoint.host("node-1", Map.of());
    static final RuleCompiler.Options DEFAULTS = new RuleCompiler.Options(Postures.AUDIT, true);

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
        RuleInfo fileA = rule(set, entry(set, RuleClass.FILE, "/a", "").block().getFirst().rule());
        assertEquals(5, fileA.severity());
        assertEquals(List.of("s"), fileA.tags());
        assertEquals("block", fileA.message());
        assertEquals(Action.Block, fileA.action(), "no action anywhere: Block");
        RuleInfo fileB = rule(set, entry(set, RuleClass.FILE, "/b", "").audit().getFirst().rule());
        assertEquals(new RuleInfo(fileB.id(), fileB.kind(), "p", "spec.file.matchPaths[1]", 9, List.of("r"), "rule",
                Action.Audit), fileB, "lower-case action normalised");
        RuleInfo process = rule(set, entry(set, RuleClass.PROCESS, "/bin/x", "").block().getFirst().rule());
        assertEquals(2, process.severity());
        assertEquals("spec", process.message());
    }

    @Test
    void commaListsBecomeOneKeyEachUnderOneRule() {
        RuleSet set = compile(DEFAULTS, hsp("p", """
                network: {matchProtocols: [{protocol: 'TCP, udp', fromSource: [{path: /bin/a}, {path: /bin/b}]}]},
                capabilities: {matchCapabilities: [{capability: 'net_raw,CAP_sys_admin', fromSource: [{path: /bin/a}]}]}"""));
        int protocolRule = entry(set, RuleClass.NETWORK, "tcp", "/bin/a").block().getFirst().rule();
        for (String protocol : List.of("tcp", "udp")) {
            for (String source : List.of("/bin/a", "/bin/b")) {
                assertEquals(protocolRule, entry(set, RuleClass.NETWORK, protocol, source).block().getFirst().rule());
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
                new Postures(Posture.block, Posture.audit, Posture.block), true);
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
    void oneKeyKeepsEveryRuleAndEachContextGetsTheFirstThatHolds() {
        RuleSet set = compile(DEFAULTS,
                hsp("a", "file: {matchPaths: [{path: /etc/x, readOnly: true, action: Allow},"
                        + " {path: /etc/y, ownerOnly: true}]}"),
                hsp("b", "file: {matchPaths: [{path: /etc/x, action: Allow}, {path: /etc/x, action: Block},"
                        + " {path: /etc/y, readOnly: true}]}"));
        Entry x = entry(set, RuleClass.FILE, "/etc/x", "");
        assertEquals(2, x.allow().size(), "both Allows kept");
        Context write = new Context(true, true, false);
        Context read = new Context(false, true, false);
        assertEquals("b", rule(set, x.holder(Action.Allow, write).rule()).policy(), "a write: only b's Allow holds");
        assertEquals("a", rule(set, x.holder(Action.Allow, read).rule()).policy(), "a read: the first, a's");
        assertEquals("b", rule(set, x.block().getFirst().rule()).policy(), "Block and Allow both kept: Block wins in the kernel");
        assertTrue(x.audit().isEmpty());
        // a's ownerOnly Block and b's readOnly Block: neither masks the other.
        Entry y = entry(set, RuleClass.FILE, "/etc/y", "");
        assertEquals(2, y.block().size());
        assertEquals("a", rule(set, y.holder(Action.Block, new Context(false, false, false)).rule()).policy(),
                "another user's read: the ownerOnly Block");
        assertEquals("b", rule(set, y.holder(Action.Block, new Context(true, true, false)).rule()).policy(),
                "the owner's write: the readOnly Block");
        assertNull(y.holder(Action.Block, new Context(false, true, false)), "the owner's read: no Block holds");
    }

    @Test
    void directoriesAboveBlockedPathsAreAncestorsAndTheGuardNamesTheFirstBlock() {
        RuleSet set = compile(DEFAULTS, hsp("p", "file: {matchPaths: [{path: /srv/app/secret, readOnly: true},"
                + " {path: /srv/app/log, action: Audit}], matchDirectories: [{dir: /etc/keys/}]},"
                + " process: {matchPaths: [{path: /usr/bin/od}]}"));
        List<String> ancestors = set.entries().stream().filter(e -> e.key().match() == Match.ANCESTOR)
                .map(e -> e.key().target()).toList();
        assertEquals(List.of("/etc/", "/etc/keys/", "/srv/", "/srv/app/", "/usr/", "/usr/bin/"), ancestors);
        assertEquals(Set.of(), entry(set, RuleClass.FILE, "/srv/app/", "").block().getLast().flags(),
                "an ancestor holds for everyone, whatever the Block's conditions");
        assertEquals(1, set.guard());
        assertEquals(0, compile(DEFAULTS, hsp("q", "action: Audit, file: {matchPaths: [{path: /x}]}")).guard(),
                "audits promise nothing: no guard");
    }

    @Test
    void pathsAreNormalisedAndResolvedSpellingsAddKeys() {
        PathResolver usrmerge = path -> path.startsWith("/bin/") ? "/usr" + path : path;
        RuleSet set = compile(new RuleCompiler.Options(Postures.AUDIT, true, usrmerge),
                hsp("p", "process: {matchPaths: [{path: /bin/./od}, {path: /opt/../bin/true, fromSource: [{path: /bin/sh}]}]},"
                        + " file: {matchPaths: [{path: /proc/self/environ}]}"));
        entry(set, RuleClass.PROCESS, "/bin/od", "");
        entry(set, RuleClass.PROCESS, "/usr/bin/od", "");
        for (String source : List.of("/bin/sh", "/usr/bin/sh")) {
            entry(set, RuleClass.PROCESS, "/bin/true", source);
            entry(set, RuleClass.PROCESS, "/usr/bin/true", source);
        }
        assertEquals(List.of("p: spec.file.matchPaths[0].path: /proc/self/environ never matches: the kernel names the"
                + " files behind /proc/self by their own paths (/proc/<pid>/..., the file itself)"), set.notEnforced());
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
        assertEquals(List.of("-l", "/tmp"), on.block().getFirst().args());
        assertEquals(Set.of(Flag.OWNER_ONLY, Flag.PTS), on.block().getFirst().flags());
        RuleSet off = compile(new RuleCompiler.Options(Postures.AUDIT, false), policy);
        assertEquals(List.of(), entry(off, RuleClass.PROCESS, "/bin/ls", "").block().getFirst().args());
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

    @Test
    void aPatternSetTooBigForTheAutomatonIsAnErrorNamingItsPolicies() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            many.append(i == 0 ? "" : ", ").append("{pattern: '/x").append(i).append("/*/*/a*b*c*'}");
        }
        RuleCompiler.Options small = new RuleCompiler.Options(Postures.AUDIT, true, PathResolver.NONE, 50);
        GlobAutomaton.TooLarge refused = assertThrows(GlobAutomaton.TooLarge.class,
                () -> compile(small, hsp("too-big", "file: {matchPatterns: [" + many + "]}, action: Block"),
                        hsp("small", "file: {matchPatterns: [{pattern: '/y/*/z'}]}, action: Block")));
        assertTrue(refused.getMessage().contains("too-big (40)")
                && refused.getMessage().contains("small (1)") && refused.getMessage().contains("bulwark.maxGlobStates"),
                refused.getMessage());
        // The same set within the default size compiles, and says how big it is.
        RuleSet fits = compile(DEFAULTS, hsp("too-big", "file: {matchPatterns: [" + many + "]}, action: Block"));
        assertTrue(fits.globs().states() > 50, "states: " + fits.globs().states());
    }
}
