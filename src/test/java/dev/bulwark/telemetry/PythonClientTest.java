package dev.bulwark.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Wire compatibility proven by a client that is not ours: Debian's python3-grpcio with stubs generated from the
 * same .proto files (src/test/python/kubearmor_client.py) streams alerts and logs, and drives PolicyService.
 */
@QuarkusTest
class PythonClientTest {
    @Inject
    Telemetry telemetry;

    @Test
    void aPythonKubeArmorClientSeesTheRightFields() throws Exception {
        Process client = new ProcessBuilder("/usr/bin/python3", "src/test/python/kubearmor_client.py",
                "--port", String.valueOf(FeederServiceTest.PORT), "--proto", "src/main/proto/kubearmor",
                "--out", "target/python-stubs").redirectErrorStream(true).start();
        // Publish until the client is done: its streams subscribe when they open, at a moment only it knows.
        Thread publisher = Thread.ofVirtual().start(() -> {
            while (client.isAlive()) {
                telemetry.alert(FeederServiceTest.alert("python-check"));
                telemetry.log(FeederServiceTest.log("remoteip=10.0.0.1 port=443 protocol=TCP"));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        String output = new String(client.getInputStream().readAllBytes());
        assertTrue(client.waitFor(120, TimeUnit.SECONDS), output);
        publisher.join();
        assertEquals(0, client.exitValue(), output);
        assertTrue(output.contains("python client: all checks passed"), output);
    }
}
