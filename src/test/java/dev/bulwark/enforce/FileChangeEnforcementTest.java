package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.telemetry.Alert;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * readOnly and ownerOnly cover every way to change a file (owner, times, extended attributes and ACLs,
 * truncation, shared writable maps of descriptors older than the rule), and ownerOnly means the owner on the
 * overlay file system containers run on (this guest's /tmp is one).
 */
class FileChangeEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-changes");
    static final String SECRET = DIR.resolve("secret").toString();
    static final String OTHER = DIR.resolve("other").toString();
    static final String READ_ONLY = "{file: {matchPaths: [{path: " + SECRET + ", readOnly: true}]}, action: Block}";
    static final String OWNER_ONLY = "{file: {matchPaths: [{path: " + SECRET + ", ownerOnly: true}]}, action: Block}";
    /** A POSIX access ACL (user::rw- user:nobody:r-- group::r-- mask::r-- other::r--), as the xattr holds it. */
    static final String ACL = "struct.pack(\"<I\", 2) + b\"\".join(struct.pack(\"<HHI\", t, p, i) for t, p, i in"
            + " [(1, 6, 0xffffffff), (2, 4, 65534), (4, 4, 0xffffffff), (16, 4, 0xffffffff), (32, 4, 0xffffffff)])";
    /** Opens a file read-write, says "open", then does what it is told on stdin and prints ok or the errno name. */
    static final Path HOLDER = DIR.resolve("holder.py");

    @BeforeAll
    void scripts() throws IOException {
        Files.createDirectories(DIR);
        Files.writeString(HOLDER, """
                import errno, mmap, os, sys
                fd = os.open(sys.argv[1], os.O_RDWR)
                print('open', flush=True)
                what = sys.stdin.readline().strip()
                try:
                    if what == 'mmap-shared':
                        mmap.mmap(fd, 4, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)[0:1] = b'X'
                    elif what == 'mmap-private':
                        mmap.mmap(fd, 4, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)[0:1] = b'X'
                    elif what == 'ftruncate':
                        os.ftruncate(fd, 0)
                    print('ok')
                except OSError as e:
                    print(errno.errorcode[e.errno])
                """);
    }

    @BeforeEach
    void clean() throws IOException, InterruptedException {
        reset();
        sh("/usr/bin/rm -rf " + SECRET + " " + OTHER + " " + DIR + "/home");
        UserPrincipalLookupService users = DIR.getFileSystem().getUserPrincipalLookupService();
        for (String file : new String[] {SECRET, OTHER}) {
            Files.writeString(Path.of(file), "data\n");
            Files.setPosixFilePermissions(Path.of(file), PosixFilePermissions.fromString("rw-rw-rw-"));
            Files.setOwner(Path.of(file), users.lookupPrincipalByName("nobody"));
        }
        alerts.clear();
    }

    /** Each way to change a file without writing to it: denied under readOnly, done to another file. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "chown       | /usr/bin/chown 1 FILE                                                   | SECURITY_PATH_CHOWN",
            "utimes      | /usr/bin/python3 -c 'import os; os.utime(\"FILE\", (1, 1))'                | SECURITY_INODE_SETATTR",
            "setxattr    | /usr/bin/python3 -c 'import os; os.setxattr(\"FILE\", \"trusted.bulwark\", b\"1\")' | SECURITY_INODE_SETXATTR",
            "acl         | /usr/bin/python3 -c 'import os, struct; os.setxattr(\"FILE\", \"system.posix_acl_access\", ACL)' | ACL",
            "O_TRUNC     | /usr/bin/python3 -c 'import os; os.open(\"FILE\", os.O_RDONLY + os.O_TRUNC)'  | TRUNCATE",
    })
    void readOnlyCoversEveryChange(String change, String command, String hook) throws Exception {
        host(READ_ONLY, AUDIT);
        String line = command.replace("ACL", ACL);
        assertTrue(sh(line.replace("FILE", SECRET)) != 0, change + " of the protected file");
        Alert alert = alert(on(SECRET));
        assertEquals("Block", alert.action());
        if (hook.equals("ACL")) {
            assertTrue(alert.data().matches("lsm=SECURITY_INODE_(SETXATTR|SET_ACL)"), alert.data());
        } else if (hook.equals("TRUNCATE")) {
            assertTrue(alert.data().matches("lsm=SECURITY_(PATH|FILE)_TRUNCATE"), alert.data());
        } else {
            assertEquals("lsm=" + hook, alert.data());
        }
        assertEquals(0, sh(line.replace("FILE", OTHER)), change + " of another file");
        assertEquals(0, sh("/usr/bin/cat " + SECRET), "reads still pass");
    }

    @Test
    void removingAnExtendedAttributeIsAChangeToo() throws Exception {
        sh("/usr/bin/python3 -c 'import os; [os.setxattr(f, \"trusted.bulwark\", b\"1\") for f in (\"" + SECRET + "\", \""
                + OTHER + "\")]'");
        host(READ_ONLY, AUDIT);
        assertTrue(sh("/usr/bin/python3 -c 'import os; os.removexattr(\"" + SECRET + "\", \"trusted.bulwark\")'") != 0);
        assertEquals("lsm=SECURITY_INODE_REMOVEXATTR", alert(on(SECRET)).data());
        assertEquals(0, sh("/usr/bin/python3 -c 'import os; os.removexattr(\"" + OTHER + "\", \"trusted.bulwark\")'"));
    }

    /** What a process that opened the file before the rule came can still do: write through memory, truncate. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"mmap-shared, EACCES", "ftruncate, EACCES", "mmap-private, ok"})
    void aDescriptorOpenedBeforeTheRuleCannotChangeTheFile(String what, String expected) throws Exception {
        Process holder = new ProcessBuilder("/usr/bin/python3", HOLDER.toString(), SECRET).redirectErrorStream(true)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream()));
        assertEquals("open", out.readLine());
        host(READ_ONLY, AUDIT);
        try (OutputStream in = holder.getOutputStream()) {
            in.write((what + "\n").getBytes());
        }
        assertEquals(expected, out.readLine(), what);
        holder.waitFor();
        assertEquals("data\n", Files.readString(Path.of(SECRET)), "the file is as it was");
    }

    @Test
    void takingOwnershipDoesNotMakeRootTheOwner() throws Exception {
        host(OWNER_ONLY, AUDIT);
        assertTrue(sh("/usr/bin/chown 0 " + SECRET) != 0, "root may not chown what it may not touch");
        assertEquals(1, sh("/usr/bin/cat " + SECRET), "and stays a stranger to it");
        assertEquals(0, asNobody("/usr/bin/cat " + SECRET), "the owner reads it");
    }

    @Test
    void theOwnerOfAnOwnerOnlyFileOnOverlayfsIsTheOwner() throws Exception {
        assertTrue(Files.readString(Path.of("/proc/self/mountinfo")).lines().anyMatch(l -> l.contains(" / / ")
                && l.contains(" - overlay ")), "this guest's root (and /tmp) is an overlay");
        host(OWNER_ONLY, AUDIT);
        assertEquals(0, asNobody("/usr/bin/cat " + SECRET), "the owner, through overlayfs' second open");
        assertEquals(0, asNobody("echo more >> " + SECRET), "and writes");
        assertEquals(1, sh("/usr/bin/cat " + SECRET), "root is not the owner");
    }

    @Test
    void aFileCreatedInAnOwnerOnlyDirectoryBelongsToTheDirectorysOwner() throws Exception {
        Path home = DIR.resolve("home");
        Files.createDirectories(home);
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setOwner(home, home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        host("{file: {matchDirectories: [{dir: " + home + "/, ownerOnly: true}]}, action: Block}", AUDIT);
        assertEquals(0, asNobody("echo mine > " + home + "/by-owner"), "the directory's owner creates in it");
        assertTrue(sh("echo theirs > " + home + "/by-root") != 0, "someone else does not");
        assertEquals("lsm=SECURITY_PATH_MKNOD", alert(on(home + "/by-root")).data());
    }
}
