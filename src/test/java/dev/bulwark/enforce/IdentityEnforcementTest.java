package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Identity cannot be shed: a process that makes or enters namespaces no runtime registered (unshare, clone
 * flags) stays governed by the endpoint it came from, for every class of rule; each attack with the legitimate
 * use beside it.
 */
class IdentityEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-identity");
    static final String SECRET = DIR.resolve("secret").toString();
    static final String PUBLIC = DIR.resolve("public").toString();
    static final String TOOL = DIR.resolve("tool").toString();
    static final String FILE_BLOCK = "{file: {matchPaths: [{path: " + SECRET + "}]}, action: Block}";

    @BeforeEach
    void clean() throws IOException, InterruptedException {
        reset();
        assertEquals(0, run("/usr/bin/rm", "-rf", DIR.toString()));
        Files.createDirectories(DIR);
        Files.setPosixFilePermissions(DIR, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String file : new String[] {SECRET, PUBLIC}) {
            Files.writeString(Path.of(file), "data\n");
            Files.setPosixFilePermissions(Path.of(file), PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.copy(Path.of("/usr/bin/true"), Path.of(TOOL));
        Files.setPosixFilePermissions(Path.of(TOOL), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void anUnprivilegedUserInNewNamespacesIsStillTheHost() throws Exception {
        host(FILE_BLOCK, AUDIT);
        assertEquals(1, asNobody("/usr/bin/unshare -Urpf /usr/bin/cat " + SECRET), "user, pid and mount namespaces");
        assertEquals(0, asNobody("/usr/bin/unshare -Urpf /usr/bin/cat " + PUBLIC), "what is not protected still works");
        Alert alert = alert(on(SECRET));
        assertEquals("MatchedHostPolicy", alert.type());
        assertEquals(65534, alert.context().uid());
    }

    @Test
    void rootInANewPidNamespaceIsStillTheHost() throws Exception {
        host(FILE_BLOCK, AUDIT);
        assertEquals(1, sh("/usr/bin/unshare -pf --mount-proc /usr/bin/cat " + SECRET));
        assertEquals(1, sh("/usr/bin/unshare -p /usr/bin/bash -c '/usr/bin/cat " + SECRET + "'"),
                "unshare without fork: the children's namespace differs from the task's own");
        assertEquals(0, sh("/usr/bin/unshare -pf --mount-proc /usr/bin/cat " + PUBLIC));
    }

    @Test
    void aBlockedProgramStaysBlockedInNewNamespaces() throws Exception {
        host("{process: {matchPaths: [{path: " + TOOL + "}]}, action: Block}", AUDIT);
        assertEquals(126, asNobody("/usr/bin/unshare -Urpf /usr/bin/bash -c " + TOOL + "; exit $?"));
        assertEquals(0, asNobody("/usr/bin/unshare -Urpf /usr/bin/true"));
    }

    @Test
    void aContainerProcessInANewUserAndMountNamespaceKeepsItsContainersRules() throws Exception {
        String output = inSandbox(FILE_BLOCK, AUDIT, sandbox -> sandbox.run(each(
                "/usr/bin/unshare -Urm /usr/bin/cat " + PUBLIC, "/usr/bin/unshare -Urm /usr/bin/cat " + SECRET)));
        assertTrue(output.contains("r0=0 r1=1"), output);
        Alert alert = alert(on(SECRET));
        assertEquals("MatchedPolicy", alert.type());
        assertEquals("main", alert.context().containerName(), "named as the container it came from");
    }

    @Test
    void aContainerProcessInANestedPidNamespaceKeepsItsContainersRules() throws Exception {
        String output = inSandbox(FILE_BLOCK, AUDIT, sandbox -> sandbox.run(each(
                "/usr/bin/unshare -pf /usr/bin/cat " + PUBLIC, "/usr/bin/unshare -pf /usr/bin/cat " + SECRET)));
        assertTrue(output.contains("r0=0 r1=1"), output);
        assertEquals(0, sh("/usr/bin/cat " + SECRET), "the host is not under the container's rules");
    }

    /** Makes a socket of this kind ("AF_INET, SOCK_DGRAM") in Python: exits 0, or 13 when it is not permitted. */
    static String socket(String kind) {
        return "/usr/bin/python3 -c $'import socket, sys\\ntry: socket.socket("
                + kind.replaceAll("\\b([A-Z][A-Z_]*)\\b", "socket.$1") + ")\\nexcept PermissionError: sys.exit(13)'";
    }

    /**
     * In a container under this policy, from new namespaces (unshare with these options): the legitimate command
     * runs (r0=0), the attack fails with this status, and the alert matching `wanted` names the container.
     */
    void followsIntoNewNamespaces(String policy, String unshare, String legitimate, String attack, int denied,
            java.util.function.Predicate<Alert> wanted) throws Exception {
        String output = inSandbox(policy, AUDIT, sandbox -> sandbox.run(each("/usr/bin/unshare " + unshare + " "
                + legitimate, "/usr/bin/unshare " + unshare + " " + attack)));
        assertTrue(output.contains("r0=0 r1=" + denied), output);
        assertEquals("main", alert(wanted).context().containerName());
    }

    @Test
    void networkRulesFollowTheProcessIntoNewNamespaces() throws Exception {
        followsIntoNewNamespaces("{network: {matchProtocols: [{protocol: udp}]}, action: Block}", "-Urn",
                socket("AF_INET, SOCK_STREAM"), socket("AF_INET, SOCK_DGRAM"), 13,
                a -> a.resource().startsWith("protocol=UDP"));
    }

    @Test
    void capabilityRulesHoldForCapabilitiesGainedInAUserNamespace() throws Exception {
        // A raw socket in a new network namespace needs CAP_NET_RAW in the user namespace that owns it.
        followsIntoNewNamespaces("{capabilities: {matchCapabilities: [{capability: net_raw}]}, action: Block}", "-Urn",
                socket("AF_INET, SOCK_DGRAM"), socket("AF_INET, SOCK_RAW, 1"), 13,
                a -> a.resource().equals("CAP_NET_RAW"));
    }

    @Test
    void presetsFollowTheProcessIntoNewNamespaces() throws Exception {
        followsIntoNewNamespaces("{presets: [{name: filelessExec}], action: Block}", "-Urm", "/usr/bin/true",
                PresetEnforcementTest.MEMFD_EXEC, 1, a -> a.enforcer().equals("PRESET-FilelessExecutionPreset"));
    }

    @Test
    void aHostProcessThatEntersAContainerIsGovernedByTheContainer() throws Exception {
        inSandbox(FILE_BLOCK, AUDIT, sandbox -> {
            assertEquals(0, sh("/usr/bin/cat " + SECRET), "outside, the host's rules (none)");
            String enter = "/usr/bin/nsenter -t " + sandbox.pid + " -p -m /usr/bin/cat ";
            assertTrue(shOutput(enter + PUBLIC).startsWith("0: "), shOutput(enter + PUBLIC));
            assertTrue(shOutput(enter + SECRET).startsWith("1: "), "inside the container's namespaces, its rules");
            return null;
        });
        assertEquals("main", alert(on(SECRET)).context().containerName());
    }
}
