package dev.bulwark.bpf;

import dev.bulwark.bpf.libbpf.Libbpf;
import dev.bulwark.bpf.libbpf.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Reads a BPF ring buffer on a dedicated thread: each record is decoded (copied to the heap) and handed to a
 * consumer. Nothing may escape the upcall (it would crash the JVM): a failing decoder or consumer is logged.
 */
public final class RingBufferReader<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RingBufferReader.class);
    private static final int POLL_MILLIS = 100;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ringBuffer;
    private final Function<MemorySegment, T> decoder;
    private final Consumer<T> consumer;
    private final Thread thread;
    private final long timestampOffset;
    private final MemorySegment now = arena.allocate(Libc.TIMESPEC);
    private volatile long lagNanos;
    private volatile boolean running = true;

    /**
     * Starts reading at once; `name` names the thread. Each record holds its kernel time (boot clock, ns) at
     * `timestampOffset`, which tells how far behind the reader is.
     */
    public RingBufferReader(String name, int mapFd, long timestampOffset, Function<MemorySegment, T> decoder,
            Consumer<T> consumer) {
        this.timestampOffset = timestampOffset;
        this.decoder = decoder;
        this.consumer = consumer;
        try {
            MethodHandle sample = MethodHandles.lookup().findVirtual(RingBufferReader.class, "sample",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class)).bindTo(this);
            MemorySegment callback = Libbpf.LINKER.upcallStub(sample, Libbpf.RING_BUFFER_SAMPLE_FN, arena);
            MemorySegment errno = Libbpf.errnoState(arena);
            ringBuffer = Libbpf.ring_buffer__new(errno, mapFd, callback, MemorySegment.NULL, MemorySegment.NULL);
            if (ringBuffer.equals(MemorySegment.NULL)) {
                arena.close();
                throw new BpfException("ring_buffer__new", Libbpf.errno(errno));
            }
        } catch (ReflectiveOperationException e) {
            arena.close();
            throw new IllegalStateException(e);
        }
        thread = Thread.ofPlatform().daemon().name(name).start(this::poll);
    }

    private void poll() {
        while (running) {
            int result = Libbpf.ring_buffer__poll(ringBuffer, POLL_MILLIS);
            if (result < 0 && result != -4) { // -EINTR is a normal wake-up
                LOG.errorf("ring buffer poll failed: %s", Bpf.strerror(-result));
                return;
            }
        }
    }

    /** The upcall: called by libbpf on the polling thread for each record. */
    @SuppressWarnings("unused")
    private int sample(MemorySegment context, MemorySegment data, long size) {
        try {
            MemorySegment record = data.reinterpret(size);
            Libc.clock_gettime(Libc.CLOCK_BOOTTIME, now);
            lagNanos = now.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + now.get(ValueLayout.JAVA_LONG, 8)
                    - record.get(ValueLayout.JAVA_LONG, timestampOffset);
            consumer.accept(decoder.apply(record));
        } catch (Throwable t) {
            try {
                LOG.error("dropping a kernel event that could not be handled", t);
            } catch (Throwable ignored) {
                // logging itself failed: nothing more can be done without risking the JVM
            }
        }
        return 0;
    }

    /** How long the last record waited in the ring before it was read, in ns. */
    public long lagNanos() {
        return lagNanos;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libbpf.ring_buffer__free(ringBuffer);
        arena.close();
    }
}
