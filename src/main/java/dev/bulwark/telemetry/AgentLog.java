package dev.bulwark.telemetry;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.bulwark.config.BulwarkConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * The agent's own messages (policy applied, file rejected...) as KubeArmor `Message` records: every stage logs
 * through Quarkus logging under the category {@value #CATEGORY} (`bulwark.identity`, `bulwark.k8s`...), and this
 * handler, installed on that category when the application starts, publishes INFO and above like alerts and
 * logs (JSON sink, WatchMessages). So no stage imports telemetry to say something.
 */
@Singleton
public class AgentLog extends Handler {
    /** The parent category of the agent's messages. */
    public static final String CATEGORY = "bulwark";
    /** KubeArmor's UpdatedTime shape: UTC with microseconds. */
    static final DateTimeFormatter UPDATED_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

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
    private final Telemetry telemetry;
    private final java.util.logging.Logger category = java.util.logging.Logger.getLogger(CATEGORY);

    @Inject
    public AgentLog(BulwarkConfig config, Telemetry telemetry) {
        this.cluster = config.cluster();
        this.hostName = config.hostName();
        this.telemetry = telemetry;
    }

    /** Before any other start-up observer, so that every stage's first message is published. */
    void install(@Observes @Priority(0) StartupEvent start) {
        category.addHandler(this);
    }

    @PreDestroy
    void uninstall() {
        category.removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        int level = record.getLevel().intValue();
        if (level < Level.INFO.intValue()) {
            return;
        }
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        Instant now = record.getInstant();
        telemetry.message(new Message(now.getEpochSecond(), UPDATED_TIME.format(now), cluster, hostName, "",
                "AgentLog", level >= Level.SEVERE.intValue() ? "ERROR" : level >= Level.WARNING.intValue() ? "WARN"
                        : "INFO", text));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** KubeArmor's UpdatedTime of an instant. */
    public static String updatedTime(Instant instant) {
        return UPDATED_TIME.format(instant);
    }

    /** One record as a KubeArmor JSON log line (the JSON sink's format). */
    static String line(Object record) throws IOException {
        return JsonSink.line(record);
    }
}
