package dev.bulwark.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.compile.RuleSet.Flag;
import dev.bulwark.compile.RuleSet.RuleClass;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.policy.Action;
import dev.bulwark.policy.Policy;
import dev.bulwark.policy.PolicyReader;
import dev.bulwark.settings.Postures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of upstream-shaped policies (src/test/resources/corpus): every policy is accepted as upstream
 * accepts it and compiles for the endpoints it selects; what cannot match is reported per rule by name.
 */
class UpstreamCorpusTest {
    static final Path CORPUS = Path.of("src/test/resources/corpus");
    static final Endpoint HOST = Endpoint.host("edge-7", Map.of());
    static final List<Endpoint> CONTAINERS = List.of(
            Endpoint.container("default", "shop-1", "web", Map.of("app", "shop"), new KernelIdentity(11, 12)),
            Endpoint.container("default", "db-1", "mysql", Map.of("app", "db"), new KernelIdentity(13, 14)),
            Endpoint.container("payments", "pay-1", "api", Map.of("app", "pay"), new KernelIdentity(15, 16)));
    static final RuleCompiler.Options OPTIONS = new RuleCompiler.Options(Postures.AUDIT, true);
    static List<Policy> all = new ArrayList<>();

    static Stream<Path> files() throws IOException {
        return Files.list(CORPUS).filter(f -> f.toString().endsWith(".yaml")).sorted();
    }

    @BeforeAll
    static void readAll() throws IOException {
        all = files().flatMap(f -> PolicyReader.read(f).policies().stream()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void eachPolicyIsAcceptedAndSelectsAnEndpoint(Path file) {
        PolicyReader.Result result = PolicyReader.read(file);
        assertEquals(List.of(), result.errors(), file.toString());
        assertFalse(result.policies().isEmpty(), file.toString());
        for (Policy policy : result.policies()) {
            boolean selects = Stream.concat(Stream.of(HOST), CONTAINERS.stream())
                    .anyMatch(e -> !PolicySelection.applicable(List.of(policy), e).isEmpty());
            assertTrue(selects, policy.qualifiedName() + " selects none of the corpus endpoints");
        }
    }

    RuleSet compiled(Endpoint endpoint) {
        return RuleCompiler.compile(endpoint, PolicySelection.applicable(all, endpoint), OPTIONS);
    }

    @Test
    void everyGlobShapeCompilesIntoTheAutomatonOrAHashedKey() {
        RuleSet shop = compiled(CONTAINERS.getFirst());
        // Alternatives are held as their spellings.
        List<String> held = shop.globs().patterns().stream().map(GlobAutomaton.Shown::pattern).toList();
        for (String pattern : List.of("/usr/bin/apt*", "/*/nc", "/*/*/nc", "/**/chown", "/usr/lib/**/**/pip/download.py",
                "/home/*/.ssh/**", "/etc/*hado?", "/usr/local/lib/python?/dist-packages/*.pth", "/dev/tty[0-9]",
                "/usr/pages/**", "/www/pages/**", "/root/.bash_history", "/root/.zsh_history")) {
            assertTrue(held.contains(pattern), pattern + " in " + held);
        }
        assertTrue(shop.globs().states() > 0 && shop.globs().kernelEntries() > 0);
        RuleMatcher matcher = new RuleMatcher(shop);
        assertEquals(Action.Block, ruleAction(shop, matcher.match(RuleClass.PROCESS, "/usr/bin/apt-get", "")
                .block()));
        assertTrue(matcher.match(RuleClass.FILE, "/home/alice/.ssh/id_ed25519", "").block() != null);
        assertTrue(matcher.match(RuleClass.FILE, "/root/.zsh_history", "").block() != null);
        assertTrue(matcher.match(RuleClass.FILE, "/root/.fish_history", "").block() == null);
    }

    private static Action ruleAction(RuleSet set, RuleSet.Slot slot) {
        return slot == null ? null : set.rule(slot.rule()).action();
    }

    @Test
    void patternsThatAreNoPathsAreReportedPerRuleAndTheRestApplies() {
        RuleSet db = compiled(CONTAINERS.get(1));
        assertTrue(db.notEnforced().stream().anyMatch(n -> n.contains("corpus-patterns-that-never-match")
                && n.contains("spec.process.matchPatterns[0].pattern") && n.contains("mysqld never matches")),
                db.notEnforced().toString());
        assertTrue(db.notEnforced().stream().anyMatch(n -> n.contains("spec.file.matchPatterns[0].pattern")
                && n.contains("never matches")), db.notEnforced().toString());
    }

    @Test
    void anEmptyContainerListSelectsEveryContainer() {
        for (Endpoint container : CONTAINERS.subList(0, 2)) {
            List<String> names = PolicySelection.applicable(all, container).stream().map(Policy::name).toList();
            assertTrue(names.contains("corpus-protect-credentials") && names.contains("corpus-all-containers-empty"),
                    container.container() + ": " + names);
        }
    }

    @Test
    void aSyscallSourceDirectoryWithoutItsSlashIsTheDirectory() {
        RuleSet shop = compiled(CONTAINERS.getFirst());
        List<String> dirs = shop.syscalls().stream().flatMap(s -> s.fromSource().stream())
                .map(dev.bulwark.policy.SyscallRules.SyscallSource::dir).toList();
        assertEquals(List.of("/usr/bin/", "/bin/"), dirs);
    }

    @Test
    void ptsNarrowsFileAndNetworkRules() {
        RuleSet shop = compiled(CONTAINERS.getFirst());
        assertTrue(shop.entries().stream().anyMatch(e -> e.key().ruleClass() == RuleClass.NETWORK
                && e.block().stream().anyMatch(s -> s.flags().contains(Flag.PTS))), "raw with pts");
        assertTrue(shop.entries().stream().anyMatch(e -> e.key().target().equals("/etc/passwd")
                && e.block().stream().anyMatch(s -> s.flags().containsAll(List.of(Flag.PTS, Flag.READ_ONLY)))));
    }

    @Test
    void theHostPoliciesCompileAndSayWhatIsNotEnforced() {
        RuleSet host = compiled(HOST);
        assertTrue(host.notEnforced().stream().anyMatch(n -> n.contains("corpus-host-by-name")
                && n.contains("spec.apparmor")), host.notEnforced().toString());
        assertTrue(host.globs().patterns().stream().anyMatch(p -> p.pattern().equals("/usr/sbin/*tables*")));
    }
}
