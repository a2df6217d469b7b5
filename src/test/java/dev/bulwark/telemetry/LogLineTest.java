package dev.bulwark.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON log lines carry KubeArmor's own JSON names (its Go json tags), not the gRPC field names. */
class LogLineTest {
    @Test
    void alertsUseKubeArmorsJsonNames() throws Exception {
        String line = AgentLog.line(FeederServiceTest.alert("block-secret"));
        for (String expected : List.of("\"timestamp\":", "\"updatedTime\":\"", "\"clusterName\":\"default\"",
                "\"hostName\":\"node-1\"", "\"namespaceName\":\"shop\"",
                "\"owner\":{\"ref\":\"Deployment\",\"name\":\"web\",\"namespace\":\"shop\"}",
                "\"podName\":\"web-1\"", "\"labels\":\"app=web\"", "\"containerID\":\"c0ffee\"",
                "\"containerName\":\"nginx\"", "\"containerImage\":\"nginx:1.27\"", "\"hostPPid\":10",
                "\"hostPid\":11", "\"ppid\":1", "\"pid\":7", "\"parentProcessName\":\"/bin/sh\"",
                "\"processName\":\"/bin/cat\"", "\"cwd\":\"/\"", "\"tty\":\"pts0\"",
                "\"execEvent\":{\"ExecID\":\"e1\",\"ExecutableName\":\"sh\"}", "\"policyName\":\"block-secret\"",
                "\"severity\":\"5\"", "\"tags\":\"PCI,NIST\"", "\"atags\":[\"PCI\",\"NIST\"]",
                "\"message\":\"secret read\"", "\"type\":\"MatchedPolicy\"", "\"source\":\"/bin/sh\"",
                "\"operation\":\"File\"", "\"resource\":\"/etc/secret\"", "\"data\":\"lsm=FILE_OPEN flags=O_RDONLY\"",
                "\"enforcer\":\"BPFLSM\"", "\"action\":\"Block\"", "\"result\":\"Permission denied\"")) {
            assertTrue(line.contains(expected), expected + " in " + line);
        }
    }

    @Test
    void agentMessagesToo() throws Exception {
        String line = AgentLog.line(new AgentLog.Message(1, "2026-11-27T12:00:00.000000Z", "default", "node-1",
                "10.0.0.1", "AgentLog", "INFO", "hello"));
        assertEquals("{\"timestamp\":1,\"updatedTime\":\"2026-11-27T12:00:00.000000Z\",\"clusterName\":"
                + "\"default\",\"hostName\":\"node-1\",\"hostIP\":\"10.0.0.1\",\"type\":\"AgentLog\",\"level\":"
                + "\"INFO\",\"message\":\"hello\"}", line);
    }
}
