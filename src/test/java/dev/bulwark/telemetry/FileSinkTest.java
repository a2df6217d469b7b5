package dev.bulwark.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON file sink across log rotation (move and create, copy and truncate) and restarts: no line is lost. */
class FileSinkTest {
    @TempDir
    Path dir;

    @Test
    void movedAwayTheFileIsOpenedAnewAndNoLineIsLost() throws Exception {
        Path log = dir.resolve("bulwark.log");
        try (FileSink sink = new FileSink(log, 0)) {
            sink.writeLine("one");
            Files.move(log, dir.resolve("bulwark.log.1"));
            sink.writeLine("two");
            sink.writeLine("three");
        }
        assertEquals(List.of("one"), Files.readAllLines(dir.resolve("bulwark.log.1")));
        assertEquals(List.of("two", "three"), Files.readAllLines(log));
    }

    @Test
    void linesBeforeTheCheckLandInTheMovedFile() throws Exception {
        Path log = dir.resolve("bulwark.log");
        try (FileSink sink = new FileSink(log, 3_600_000_000_000L)) {
            sink.writeLine("one");
            Files.move(log, dir.resolve("bulwark.log.1"));
            sink.writeLine("two"); // no check yet: still the open file, now moved
        }
        assertEquals(List.of("one", "two"), Files.readAllLines(dir.resolve("bulwark.log.1")));
    }

    @Test
    void aTruncatedFileIsAppendedFromItsNewEnd() throws Exception {
        Path log = dir.resolve("bulwark.log");
        try (FileSink sink = new FileSink(log, 0)) {
            sink.writeLine("one");
            Files.write(log, new byte[0], StandardOpenOption.TRUNCATE_EXISTING); // copytruncate
            sink.writeLine("two");
        }
        assertEquals(List.of("two"), Files.readAllLines(log), "no hole of NULs where 'one' was");
    }

    @Test
    void aRestartAppends() throws Exception {
        Path log = dir.resolve("sub/bulwark.log");
        try (FileSink sink = new FileSink(log, 0)) {
            sink.writeLine("before");
        }
        try (FileSink sink = new FileSink(log, 0)) {
            sink.writeLine("after");
        }
        assertEquals(List.of("before", "after"), Files.readAllLines(log));
    }
}
