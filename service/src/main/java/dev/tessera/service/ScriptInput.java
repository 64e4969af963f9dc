package dev.tessera.service;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A served script's standard input: the bytes its client forwards (stdin frames), read by the script as a cold run
 * reads the terminal or a pipe. Reads block until bytes come or the client says its input ended; once the script has
 * ended ({@link #close}), what still comes is dropped. At most {@link #LIMIT} bytes wait unread: the connection's
 * reader then waits for the script to read, so a client piping a large file into a script that does not read it
 * holds no more than that in the service.
 */
final class ScriptInput extends InputStream {
    static final int LIMIT = 1 << 20;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private int head; // bytes of the first chunk already read
    private long waiting; // bytes queued, unread
    private boolean ended; // the client's input ended
    private boolean closed; // the script ended: nothing more is read

    /** Bytes from the client; waits while {@link #LIMIT} bytes are unread. Dropped once the script or the input ended. */
    void offer(byte[] data) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && waiting > 0 && waiting + data.length > LIMIT) {
                changed.await();
            }
            if (!closed && !ended && data.length > 0) {
                chunks.add(data);
                waiting += data.length;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The client's input ended: reads return -1 once the queued bytes are read. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws java.io.IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            while (chunks.isEmpty() && !ended && !closed) {
                changed.await();
            }
            if (chunks.isEmpty()) {
                return -1;
            }
            byte[] first = chunks.peek();
            int n = Math.min(len, first.length - head);
            System.arraycopy(first, head, b, off, n);
            head += n;
            if (head == first.length) {
                chunks.poll();
                head = 0;
            }
            waiting -= n;
            changed.signalAll();
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the client's input");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, waiting);
        } finally {
            lock.unlock();
        }
    }

    /** The script ended (or gets no input): reads return -1, offers drop their bytes. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            chunks.clear();
            waiting = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
