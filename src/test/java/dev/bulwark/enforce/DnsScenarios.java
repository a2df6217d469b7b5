package dev.bulwark.enforce;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** DNS scenarios: a DNS server on 127.0.0.1:53 ({@link DnsServer}) for the class, and a client script beside it. */
abstract class DnsScenarios extends KernelScenarios {
    static final Path DIR = Path.of("/tmp/bulwark-dns");

    private final String clientName;
    private final String client;
    private DnsServer server;

    /** The client script's file name under DIR and its text. */
    DnsScenarios(String clientName, String client) {
        this.clientName = clientName;
        this.client = client;
    }

    @BeforeAll
    void dnsServer() throws IOException {
        Files.createDirectories(DIR);
        Files.writeString(DIR.resolve(clientName), client);
        server = DnsServer.start(DIR);
    }

    @AfterAll
    void stopDnsServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void clean() {
        reset();
    }
}
