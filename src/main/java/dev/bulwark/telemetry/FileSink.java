package dev.bulwark.telemetry;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * JSON lines appended to a file that log rotation may move or truncate. The file is opened for appending, so
 * a restart or a truncation (copytruncate) loses nothing; once a check interval has passed, a line is written
 * after looking whether the path still names the open file, and if it was moved away (create/rename
 * rotation) a new file is opened there. Lines written before the check land in the moved file: none is lost.
 */
final class FileSink implements AutoCloseable {
    private final Path path;
    private final long checkNanos;
    private OutputStream out;
    private Object fileKey;
    private long checkedAt;

    FileSink(Path path, long checkNanos) throws IOException {
        this.path = path;
        this.checkNanos = checkNanos;
        open();
    }

    synchronized void writeLine(String line) throws IOException {
        long now = System.nanoTime();
        if (now - checkedAt >= checkNanos) {
            checkedAt = now;
            if (!Objects.equals(fileKey, currentKey())) {
                out.close();
                open();
            }
        }
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void open() throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        out = new FileOutputStream(path.toFile(), true);
        fileKey = currentKey();
        checkedAt = System.nanoTime();
    }

    private Object currentKey() throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
