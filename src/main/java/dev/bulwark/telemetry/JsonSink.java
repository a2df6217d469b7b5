package dev.bulwark.telemetry;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.bulwark.config.BulwarkConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * `logPath`: every alert, log and agent message as one KubeArmor JSON line, on stdout, in a file, or nowhere.
 * Formatting and writing run on the sink's own thread from a bounded queue, so a slow disk or a blocked stdout
 * never slows the kernel readers that publish; a full queue drops the line, counted in
 * `bulwark_dropped_total{reason="json_sink_queue_full"}`.
 */
@Singleton
public class JsonSink {
    private static final Logger LOG = Logger.getLogger(JsonSink.class);
    /** KubeArmor's JSON log line names (camelCase), not the gRPC ones the records are annotated with. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(MapperFeature.ALLOW_EXPLICIT_PROPERTY_RENAMING)
            .propertyNamingStrategy(new LogFileNames()).build();
    /** How often the file sink looks whether rotation moved its file away. */
    private static final long ROTATION_CHECK_NANOS = 1_000_000_000L;
    /** Marks the end of the queue at shutdown. */
    private static final Object END = new Object();

    private final PrintStream out;
    private final FileSink file;
    private final BlockingQueue<Object> queue;
    private final Counter queueFull;
    private final Thread writer;

    @Inject
    public JsonSink(BulwarkConfig config, MeterRegistry metrics) {
        this.out = "stdout".equals(config.logPath()) ? System.out : null;
        this.file = switch (config.logPath()) {
            case "none", "stdout" -> null;
            default -> open(config.logPath());
        };
        this.queue = new ArrayBlockingQueue<>(config.subscriberQueueSize());
        this.queueFull = Counter.builder(Subscribers.DROPPED).tag("reason", "json_sink_queue_full").register(metrics);
        this.writer = out == null && file == null ? null : Thread.ofPlatform().daemon().name("json-sink").start(this::drain);
    }

    /** Queues the record for writing; never waits. */
    void offer(Object record) {
        if (writer != null && !queue.offer(record)) {
            queueFull.increment();
        }
    }

    /** One record as a KubeArmor JSON log line. */
    static String line(Object record) throws IOException {
        return JSON.writeValueAsString(record);
    }

    private void drain() {
        try {
            for (Object record = queue.take(); record != END; record = queue.take()) {
                write(record);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(Object record) {
        try {
            String line = line(record);
            if (file != null) {
                file.writeLine(line);
            } else {
                out.println(line);
                out.flush();
            }
        } catch (IOException e) {
            LOG.error("cannot write a log record", e);
        }
    }

    /** Writes what is queued (a bounded wait), then closes the file. */
    @PreDestroy
    void close() throws IOException, InterruptedException {
        if (writer != null) {
            if (!queue.offer(END, 1, TimeUnit.SECONDS)) {
                writer.interrupt();
            }
            writer.join(TimeUnit.SECONDS.toMillis(5));
        }
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
