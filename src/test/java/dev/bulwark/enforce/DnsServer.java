package dev.bulwark.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;

/** A DNS server on 127.0.0.1:53, UDP and TCP (Python): it answers every query with one A record, 10.0.0.1. */
final class DnsServer implements AutoCloseable {
    static final String SERVER = """
            import socket, struct, threading
            def answer(query):
                header = query[:2] + bytes.fromhex('81800001000100000000')
                return header + query[12:] + bytes.fromhex('c00c000100010000003c00040a000001')
            def tcp():
                listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind(('127.0.0.1', 53)); listener.listen(8)
                while True:
                    c, _ = listener.accept()
                    try:
                        c.settimeout(5)
                        data = b''
                        while len(data) < 2 or len(data) < 2 + struct.unpack('>H', data[:2])[0]:
                            more = c.recv(512)
                            if not more:
                                break
                            data += more
                        reply = answer(data[2:])
                        c.sendall(struct.pack('>H', len(reply)) + reply)
                    except OSError:
                        pass
                    c.close()
            threading.Thread(target=tcp, daemon=True).start()
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(('127.0.0.1', 53))
            print('listening', flush=True)
            while True:
                query, peer = s.recvfrom(512)
                s.sendto(answer(query), peer)
            """;

    private final Process process;

    private DnsServer(Process process) {
        this.process = process;
    }

    static DnsServer start(Path dir) throws IOException {
        Files.writeString(dir.resolve("server.py"), SERVER);
        Process process = new ProcessBuilder(KernelScenarios.PYTHON, dir.resolve("server.py").toString())
                .redirectErrorStream(true).start();
        String ready = new BufferedReader(new InputStreamReader(process.getInputStream())).readLine();
        assertEquals("listening", ready, "the DNS server on 127.0.0.1:53");
        return new DnsServer(process);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }
}
