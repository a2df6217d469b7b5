package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.telemetry.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A protected file has no second name: mounts (bind, overlay, new), chroot and pivot_root are denied to an
 * endpoint whose file or process Block rules they would escape; directories above protected paths cannot be
 * renamed or removed; files reached by handle or through a detached mount tree fail closed.
 */
class SecondNameEnforcementTest extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-names");
    static final Path ALIAS = Path.of("/tmp/bulwark-names-alias");
    static final String SECRET = DIR.resolve("d/secret").toString();
    static final String PUBLIC = DIR.resolve("d/public").toString();
    static final String FILE_BLOCK = "{file: {matchPaths: [{path: " + SECRET + "}]}, action: Block}";
    /** An endpoint with rules that promise nothing about files: nothing to guard. */
    static final String NO_FILE_RULES = "{network: {matchProtocols: [{protocol: sctp}]}, action: Block}";
    /** Calls the kernel's mount API through ctypes and prints the errno name (or "ok"). */
    static final Path SYSCALLS = DIR.resolve("syscalls.py");

    @BeforeAll
    void scripts() throws IOException {
        Files.createDirectories(DIR);
        Files.writeString(SYSCALLS, LIBC + """
                def result(value):
                    print('ok' if value >= 0 else errno.errorcode[ctypes.get_errno()])
                what = sys.argv[1]
                if what == 'pivot_root':
                    result(libc.syscall(155, sys.argv[2].encode(), sys.argv[3].encode()))
                elif what == 'chroot':
                    result(libc.chroot(sys.argv[2].encode()))
                elif what == 'open_tree':
                    # open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), then a file through it
                    tree = libc.syscall(428, -100, sys.argv[2].encode(), 1 | 0o2000000)
                    if tree < 0:
                        result(tree)
                    else:
                        try:
                            with open(os.open(sys.argv[3], os.O_RDONLY, dir_fd=tree)) as f:
                                f.read()
                            print('ok')
                        except OSError as e:
                            print(errno.errorcode[e.errno])
                elif what == 'handle':
                    # name_to_handle_at, then (caches dropped) open_by_handle_at through the mount's root
                    class Handle(ctypes.Structure):
                        _fields_ = [('size', ctypes.c_uint), ('type', ctypes.c_int), ('bytes', ctypes.c_ubyte * 128)]
                    handle = Handle(128, 0)
                    mount_id = ctypes.c_int()
                    if libc.name_to_handle_at(-100, sys.argv[2].encode(), ctypes.byref(handle), ctypes.byref(mount_id), 0) < 0:
                        result(-1)
                    else:
                        open('/proc/sys/vm/drop_caches', 'w').write('3')
                        root = os.open(sys.argv[3], os.O_RDONLY | os.O_DIRECTORY)
                        fd = libc.open_by_handle_at(root, ctypes.byref(handle), os.O_RDONLY)
                        if fd >= 0:
                            os.read(fd, 10)
                        result(fd)
                """);
    }

    @BeforeEach
    void clean() throws IOException, InterruptedException {
        reset();
        sh("/usr/bin/umount -R " + ALIAS + " 2>/dev/null; /usr/bin/rm -rf " + ALIAS + " " + DIR + "/d " + DIR + "/e "
                + DIR + "/other " + DIR + "/moved");
        for (Path dir : List.of(DIR.resolve("d"), DIR.resolve("other"), ALIAS, DIR.resolve("upper"),
                DIR.resolve("work"))) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        for (String file : List.of(SECRET, PUBLIC)) {
            Files.writeString(Path.of(file), "data\n");
            Files.setPosixFilePermissions(Path.of(file), PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        reset();
        sh("/usr/bin/umount -R " + ALIAS + " 2>/dev/null; true");
    }

    @Test
    void aContainerCannotBindMountProtectedFilesElsewhere() throws Exception {
        String mount = "/usr/bin/mount --bind " + DIR.resolve("d") + " " + ALIAS;
        String output = inSandbox(FILE_BLOCK, AUDIT, sandbox -> sandbox.run(each(mount, "/usr/bin/cat " + ALIAS
                + "/secret")));
        assertTrue(output.contains("r0=32 r1=1"), "mount(8) fails, so there is no other name: " + output);
        Alert alert = alert(a -> a.data().equals("lsm=SECURITY_SB_MOUNT"));
        assertEquals("Block", alert.action());
        assertEquals("lsm-test", alert.policyName(), "the policy whose promise the guard keeps");
        assertEquals(ALIAS.toString(), alert.resource());
        String free = inSandbox(NO_FILE_RULES, AUDIT, sandbox -> sandbox.run(each(mount, "/usr/bin/cat " + ALIAS
                + "/public")));
        assertTrue(free.contains("r0=0 r1=0"), "without file rules a container may mount: " + free);
    }

    @Test
    void anUnprivilegedUserCannotMountThroughAUserNamespace() throws Exception {
        host(FILE_BLOCK, AUDIT);
        assertEquals(1, asNobody("/usr/bin/unshare -Urm /usr/bin/bash -c '/usr/bin/mount --bind " + DIR.resolve("d")
                + " " + ALIAS + " || exit 1; /usr/bin/cat " + ALIAS + "/secret'"));
        assertEquals(0, asNobody("/usr/bin/unshare -Urm /usr/bin/cat " + PUBLIC), "the namespaces themselves are fine");
        assertEquals(0, sh("/usr/bin/unshare -m /usr/bin/bash -c '/usr/bin/mount --bind " + DIR.resolve("d") + " "
                + ALIAS + " && /usr/bin/cat " + ALIAS + "/public'"), "root on the host may mount");
    }

    @Test
    void overlayAndNewMountsAreDeniedToo() throws Exception {
        // overlayfs takes no overlay for its upper layer (this guest's /tmp is one): a tmpfs holds it
        Path layers = DIR.resolve("upper");
        String tmpfs = "/usr/bin/mount -t tmpfs none " + layers + " && /usr/bin/mkdir " + layers + "/u " + layers + "/w";
        String overlay = "/usr/bin/mount -t overlay overlay -o lowerdir=" + DIR.resolve("d") + ",upperdir=" + layers
                + "/u,workdir=" + layers + "/w " + ALIAS + " && /usr/bin/cat " + ALIAS + "/public";
        String output = inSandbox(FILE_BLOCK, AUDIT, sandbox -> sandbox.run(each(tmpfs, overlay)));
        assertTrue(output.contains("r0=32 r1=32"), output);
        String free = inSandbox(NO_FILE_RULES, AUDIT, sandbox -> sandbox.run(each(tmpfs, overlay)));
        assertTrue(free.contains("r0=0 r1=0"), free);
    }

    @Test
    void chrootAndPivotRootAreDenied() throws Exception {
        String chroot = "/usr/bin/python3 " + SYSCALLS + " chroot " + DIR.resolve("d");
        String pivot = "/usr/bin/python3 " + SYSCALLS + " pivot_root " + DIR.resolve("d") + " " + DIR.resolve("d");
        String output = inSandbox(FILE_BLOCK, AUDIT, sandbox -> sandbox.run(chroot + "; " + pivot));
        assertTrue(output.startsWith("EPERM\nEPERM"), output);
        assertEquals("ok", python("/usr/bin/python3", SYSCALLS, "chroot", "/").getFirst(), "root on the host may chroot");
        String hostPivot = python("/usr/bin/python3", SYSCALLS, "pivot_root", DIR.resolve("d").toString(),
                DIR.resolve("d").toString()).getFirst();
        assertTrue(!hostPivot.equals("EPERM") && !hostPivot.equals("ok"),
                "and pivot_root: the kernel's own checks speak, " + hostPivot);
    }

    @Test
    void directoriesAboveAProtectedFileCannotBeRenamed() throws Exception {
        host(FILE_BLOCK, AUDIT);
        assertTrue(sh("/usr/bin/mv " + DIR.resolve("d") + " " + DIR.resolve("moved")) != 0, "its directory");
        assertTrue(sh("/usr/bin/mv " + DIR + " /tmp/bulwark-names-moved") != 0, "an ancestor");
        assertEquals(1, sh("/usr/bin/cat " + SECRET), "the file stays where its rule is");
        assertEquals("lsm=SECURITY_PATH_RENAME", alert(a -> a.resource().equals(DIR.resolve("d").toString())).data());
        assertEquals(0, sh("/usr/bin/mv " + DIR.resolve("other") + " " + DIR.resolve("moved")),
                "a directory with nothing protected below moves");
    }

    @Test
    void aProtectedDirectoryCannotBeRemovedOrChangedItself() throws Exception {
        Files.createDirectories(DIR.resolve("e"));
        host("{file: {matchDirectories: [{dir: " + DIR.resolve("e") + "/}]}, action: Block}", AUDIT);
        assertTrue(sh("/usr/bin/rmdir " + DIR.resolve("e")) != 0, "rmdir");
        assertTrue(sh("/usr/bin/chmod 700 " + DIR.resolve("e")) != 0, "chmod");
        assertTrue(sh("/usr/bin/chown 65534 " + DIR.resolve("e")) != 0, "chown");
        assertEquals(0, sh("/usr/bin/chmod 755 " + DIR.resolve("other") + " && /usr/bin/rmdir " + DIR.resolve("other")),
                "another directory");
    }

    @Test
    void aFileReachedThroughADetachedMountTreeFailsClosed() throws Exception {
        host(FILE_BLOCK, AUDIT);
        assertEquals("EACCES", python("/usr/bin/python3", SYSCALLS, "open_tree", DIR.resolve("d").toString(), "secret")
                .getFirst(), "no name the rules know: denied");
        assertEquals(0, sh("/usr/bin/cat " + PUBLIC));
        host("{file: {matchPaths: [{path: " + SECRET + "}]}, action: Audit}", AUDIT);
        assertEquals("ok", python("/usr/bin/python3", SYSCALLS, "open_tree", DIR.resolve("d").toString(), "public")
                .getFirst(), "without a Block nothing fails closed");
    }

    @Test
    void aFileOpenedByHandleWithoutAPathFailsClosed() throws Exception {
        // A disk file system, where dentries leave the cache and come back from a handle disconnected.
        Path image = DIR.resolve("disk.img");
        assertEquals(0, sh("/usr/bin/rm -f " + image + " && /usr/bin/truncate -s 16M " + image
                + " && /usr/sbin/mkfs.ext4 -q " + image + " && /usr/bin/mount -o loop " + image + " " + ALIAS
                + " && /usr/bin/mkdir " + ALIAS + "/sub && echo data > " + ALIAS + "/sub/secret && echo data > "
                + ALIAS + "/sub/public"));
        host("{file: {matchPaths: [{path: " + ALIAS + "/sub/secret}]}, action: Block}", AUDIT);
        assertEquals("EACCES", python("/usr/bin/python3", SYSCALLS, "handle", ALIAS + "/sub/secret", ALIAS.toString())
                .getFirst());
        Alert alert = alert(a -> a.message().contains("fail closed"));
        assertTrue(alert.message().contains("disconnected") || alert.resource().equals(ALIAS + "/sub/secret"),
                alert.toString());
        host("{file: {matchPaths: [{path: " + ALIAS + "/sub/secret}]}, action: Audit}", AUDIT);
        assertEquals("ok", python("/usr/bin/python3", SYSCALLS, "handle", ALIAS + "/sub/public", ALIAS.toString())
                .getFirst(), "without a Block a handle opens");
    }
}
