package dev.bulwark.telemetry;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One reader of the telemetry stream (a gRPC client, an in-process consumer): the records it asked for wait in
 * its own bounded queue until it takes them. When the queue is full, new records are dropped for this reader
 * only, and counted; the pipeline and the other readers never wait for it.
 */
public final class Subscription implements AutoCloseable {
    private final String name;
    private final Predicate<Object> wants;
    private final BlockingQueue<Published> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Runnable onClose;
    private volatile Runnable wake = () -> {
    };
    private volatile boolean closed;

    Subscription(String name, int capacity, Predicate<Object> wants, Runnable onClose) {
        this.name = name;
        this.wants = wants;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.onClose = onClose;
    }

    /**
     * Called on the publishing thread after records were queued: the reader should come and take them. It must
     * only schedule the reader (the publisher may be a kernel reader), never do the reader's work.
     */
    public void onRecords(Runnable wake) {
        this.wake = wake;
    }

    /**
     * Queues the record if this reader wants it, and wakes the reader; false if it was dropped because the queue
     * is full. A record the reader does not want wakes nobody.
     */
    boolean offer(Published record) {
        if (closed || !wants.test(record.record())) {
            return true;
        }
        if (!queue.offer(record)) {
            dropped.incrementAndGet();
            return false;
        }
        wake.run();
        return true;
    }

    /** The next record, or null if none is waiting. */
    public Object poll() {
        Published next = queue.poll();
        return next == null ? null : next.record();
    }

    /** The next record as published (with its shared encoding), or null if none is waiting. */
    Published next() {
        return queue.poll();
    }

    /** The next record, waiting up to the timeout for one; null if none came. */
    public Object poll(long timeout, TimeUnit unit) throws InterruptedException {
        Published next = queue.poll(timeout, unit);
        return next == null ? null : next.record();
    }

    public String name() {
        return name;
    }

    public long dropped() {
        return dropped.get();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            queue.clear();
            onClose.run();
        }
    }
}
