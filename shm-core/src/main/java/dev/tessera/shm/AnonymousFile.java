package dev.tessera.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Memory with no name in any file system ({@code memfd_create}, Linux): a file descriptor that this process maps
 * and that another process of the same user maps too, through the descriptor passed over a Unix socket or
 * {@code /proc/<pid>/fd/<n>}. Its pages are freed once the descriptor is closed and the last mapping is gone, in
 * whichever process that happens: a client that dies holding a mapping leaves nothing behind.
 */
final class AnonymousFile implements AutoCloseable {
    private static final int MFD_CLOEXEC = 1;
    private static final MethodHandle MEMFD_CREATE;
    private static final MethodHandle FTRUNCATE;
    private static final MethodHandle CLOSE;
    private static final java.lang.foreign.StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final java.lang.invoke.VarHandle ERRNO =
            CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        MEMFD_CREATE = libc.find("memfd_create").map(a -> linker.downcallHandle(a,
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), errno)).orElse(null);
        FTRUNCATE = linker.downcallHandle(libc.find("ftruncate").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG), errno);
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    private final int fd;
    private volatile boolean closed;

    private AnonymousFile(int fd) {
        this.fd = fd;
    }

    static boolean isSupported() {
        return MEMFD_CREATE != null;
    }

    /** A new anonymous file of {@code bytes} zero bytes; {@code label} shows in /proc/PID/fd only. */
    static AnonymousFile create(String label, long bytes) {
        if (!isSupported()) {
            throw new UnsupportedOperationException("anonymous shared memory needs Linux (memfd_create)");
        }
        int fd;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CALL_STATE);
            fd = (int) MEMFD_CREATE.invokeExact(state, a.allocateFrom("tessera:" + label), MFD_CLOEXEC);
            if (fd < 0) {
                throw new StoreLimitException("memfd_create failed: errno " + (int) ERRNO.get(state, 0L));
            }
            AnonymousFile file = new AnonymousFile(fd);
            if ((int) FTRUNCATE.invokeExact(state, fd, bytes) != 0) {
                int err = (int) ERRNO.get(state, 0L);
                file.close();
                throw new StoreLimitException("cannot size anonymous memory to " + bytes + " bytes: errno " + err);
            }
            return file;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    int fd() {
        return fd;
    }

    /**
     * Runs {@code use} on the descriptor under the lock {@link #close} takes, so the number cannot be closed and
     * reused by another file meanwhile ({@code use} must not block); empty once this file is closed.
     */
    synchronized java.util.OptionalLong use(java.util.function.IntToLongFunction use) {
        return closed ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(use.applyAsLong(fd));
    }

    /** Maps the whole file read-write into {@code arena}: unmapped when the arena closes. */
    MemorySegment map(long bytes, Arena arena) throws IOException {
        // The descriptor is reopened by path to get a FileChannel; the mapping outlives the channel.
        try (FileChannel channel = FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                int ignored = (int) CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }
}
