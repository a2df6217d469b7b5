package dev.bulwark.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** KubeArmor's spelling of system call arguments. */
class MonitorLogsTest {
    @Test
    void openFlags() {
        assertEquals("O_RDONLY", Syscalls.openFlags(0));
        assertEquals("O_WRONLY|O_CREAT|O_TRUNC", Syscalls.openFlags(01 | 0100 | 01000));
        assertEquals("O_RDWR|O_CLOEXEC", Syscalls.openFlags(02 | 02000000));
    }

    @Test
    void socketAddresses() {
        byte[] inet = new byte[128];
        inet[0] = 2;
        inet[2] = 0;
        inet[3] = 80;
        inet[4] = 10;
        inet[7] = 7;
        assertEquals("sa_family=AF_INET sin_port=80 sin_addr=10.0.0.7", Syscalls.sockaddr(inet));
        byte[] unix = new byte[128];
        unix[0] = 1;
        System.arraycopy("/run/x.sock".getBytes(StandardCharsets.US_ASCII), 0, unix, 2, 11);
        assertEquals("sa_family=AF_UNIX sun_path=/run/x.sock", Syscalls.sockaddr(unix));
        assertEquals("", Syscalls.sockaddr(new byte[128]));
    }

    @Test
    void dnsQuestion() {
        ByteBuffer query = ByteBuffer.allocate(256);
        query.put(new byte[12]);
        for (String label : new String[] {"example", "com"}) {
            query.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        query.put((byte) 0).putShort((short) 28).putShort((short) 1);
        assertEquals(new Syscalls.DnsQuestion("example.com", "AAAA"), Syscalls.dnsQuestion(query.array()));
        assertEquals(null, Syscalls.dnsQuestion(new byte[12]));
    }

    @Test
    void relativePathsAreResolvedAgainstTheWorkingDirectory() {
        assertEquals("/tmp/mon.json", MonitorLogs.absolute("./pol/../mon.json", "/tmp"));
        assertEquals("/etc/passwd", MonitorLogs.absolute("/etc/passwd", "/tmp"));
    }
}
