package dev.bulwark.monitor;

import dev.bulwark.bpf.KernelLayout;
import dev.bulwark.identity.Endpoint;
import dev.bulwark.identity.KernelIdentity;
import dev.bulwark.telemetry.Log;
import dev.bulwark.telemetry.ProcessContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Monitor events per second on one core: from `struct monitor_event` records in off-heap memory (as the ring
 * buffer hands them over) to KubeArmor log objects, through decoding, the process tree and the description.
 * Run with bench/monitor-decode.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MonitorDecodeBenchmark {
    static final int RECORDS = 1024;

    Arena arena;
    MemorySegment ring;
    ProcessTree tree;
    Endpoint container;
    int next;

    @Setup
    public void fill() {
        arena = Arena.ofConfined();
        long size = KernelLayout.MONITOR_EVENT.byteSize();
        ring = arena.allocate(size * RECORDS, 8);
        for (int i = 0; i < RECORDS; i++) {
            MemorySegment e = ring.asSlice(i * size, size);
            e.set(ValueLayout.JAVA_INT, KernelLayout.offset(KernelLayout.MONITOR_EVENT, "tgid"), 1000 + i % 64);
            e.set(ValueLayout.JAVA_INT, KernelLayout.offset(KernelLayout.MONITOR_EVENT, "kind"),
                    KernelLayout.MONITOR_SYSCALL);
            e.set(ValueLayout.JAVA_INT, KernelLayout.offset(KernelLayout.MONITOR_EVENT, "syscall"), Syscalls.OPENAT);
            e.set(ValueLayout.JAVA_LONG, KernelLayout.offset(KernelLayout.MONITOR_EVENT, "args"), -100);
            e.set(ValueLayout.JAVA_LONG, KernelLayout.offset(KernelLayout.MONITOR_EVENT, "args") + 16, 02000000);
            string(e, "comm", "nginx");
            string(e, "path", "/usr/share/nginx/html/index-" + i + ".html");
            string(e, "cwd", "/");
        }
        tree = new ProcessTree(16384, Path.of("/nonexistent"));
        for (int pid = 1000; pid < 1064; pid++) {
            tree.exec(ProcessTreeTest.event(KernelLayout.MONITOR_EXEC, pid, 1, KernelIdentity.HOST, pid, 1, "/usr/sbin/nginx",
                    List.of("nginx", "-g", "daemon off;")));
        }
        container = Endpoint.container("default", "web-1", "nginx", Map.of("app", "web"),
                KernelIdentity.HOST).withRuntime("abc123", "nginx:1.27");
    }

    private static void string(MemorySegment event, String field, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(bytes, 0, event, ValueLayout.JAVA_BYTE,
                KernelLayout.offset(KernelLayout.MONITOR_EVENT, field), bytes.length);
    }

    @Benchmark
    public Log decodeToLog() {
        long size = KernelLayout.MONITOR_EVENT.byteSize();
        MonitorEvent event = MonitorEvent.read(ring.asSlice((next++ & (RECORDS - 1)) * size, size));
        ProcessTree.ProcessInfo process = tree.get(event.tgid());
        MonitorLogs.Description d = MonitorLogs.describe(event, process, tree);
        ProcessContext context = ProcessContext.of("default", "node", container, event.ppid(), event.tgid(),
                event.nsPpid(), event.nsTgid(), event.uid(), "", process.execPath(), event.cwd(), event.tty(), null);
        return new Log(0, "", context, "ContainerLog", process.command(), d.operation(), d.resource(), d.data(),
                d.result());
    }

    @TearDown
    public void close() {
        arena.close();
    }
}
