package dev.bulwark.telemetry;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.identity.EndpointRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.jboss.logging.Logger;

/**
 * The agent's own messages (policy applied, file rejected...): to the application log, and as KubeArmor
 * `Message` records, one JSON object per line, to `logPath` (stdout, a file, or none); alerts and logs go the
 * same way. The lines use KubeArmor's JSON names (`hostPid`, `policyName`...), as its own log lines do.
 */
@Singleton
public class AgentLog {
    private static final Logger LOG = Logger.getLogger("bulwark");
    /** KubeArmor's UpdatedTime shape: UTC with microseconds. */
    static final DateTimeFormatter UPDATED_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    /** KubeArmor's JSON log line names (camelCase), not the gRPC ones the records are annotated with. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.ALLOW_EXPLICIT_PROPERTY_RENAMING)
            .propertyNamingStrategy(new LogFileNames()).build();

    /** KubeArmor's feeder.Message, with its field names. */
    public record Message(
            @JsonProperty("Timestamp") long timestamp,
            @JsonProperty("UpdatedTime") String updatedTime,
            @JsonProperty("ClusterName") String clusterName,
            @JsonProperty("HostName") String hostName,
            @JsonProperty("HostIP") String hostIp,
            @JsonProperty("Type") String type,
            @JsonProperty("Level") String level,
            @JsonProperty("Message") String message) {
    }

    private final String cluster;
    private final String hostName;
    /** How often the file sink looks whether rotation moved its file away. */
    private static final long ROTATION_CHECK_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private final FileSink file;
    private final Subscribers subscribers;

    @Inject
    public AgentLog(BulwarkConfig config, EndpointRegistry endpoints, Subscribers subscribers) {
        this.subscribers = subscribers;
        this.cluster = config.cluster();
        this.hostName = endpoints.host().hostName();
        this.out = "stdout".equals(config.logPath()) ? System.out : null;
        this.file = switch (config.logPath()) {
            case "none", "stdout" -> null;
            default -> open(config.logPath());
        };
    }

    public void info(String message) {
        LOG.info(message);
        emit("INFO", message);
    }

    public void warn(String message) {
        LOG.warn(message);
        emit("WARN", message);
    }

    public void error(String message) {
        LOG.error(message);
        emit("ERROR", message);
    }

    /** An alert or log record, as one JSON line. */
    void record(Object record) {
        write(record);
    }

    public String cluster() {
        return cluster;
    }

    public String hostName() {
        return hostName;
    }

    /** KubeArmor's UpdatedTime of an instant. */
    public static String updatedTime(Instant instant) {
        return UPDATED_TIME.format(instant);
    }

    private void emit(String level, String message) {
        Instant now = Instant.now();
        Message record = new Message(now.getEpochSecond(), UPDATED_TIME.format(now), cluster, hostName, "",
                "AgentLog", level, message);
        write(record);
        subscribers.publish(record);
    }

    private void write(Object record) {
        if (out == null && file == null) {
            return;
        }
        try {
            String line = line(record);
            if (file != null) {
                file.writeLine(line);
            } else {
                synchronized (out) {
                    out.println(line);
                    out.flush();
                }
            }
        } catch (IOException e) {
            LOG.error("cannot write a log record", e);
        }
    }

    /** One record as a KubeArmor JSON log line. */
    static String line(Object record) throws IOException {
        return JSON.writeValueAsString(record);
    }

    @PreDestroy
    void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    private static FileSink open(String path) {
        try {
            return new FileSink(Path.of(path), ROTATION_CHECK_NANOS);
        } catch (IOException e) {
            throw new UncheckedIOException("bulwark.logPath: cannot open " + path, e);
        }
    }
}
