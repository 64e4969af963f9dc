package dev.tessera.workers;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.TruffleSafepoint;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.graalpy.HostValue;
import dev.tessera.buffer.graalpy.HostMembers;
import dev.tessera.buffer.graalpy.InteropArray;
import dev.tessera.buffer.graalpy.PythonErrors;
import dev.tessera.buffer.graalpy.ViewBuffer;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import java.util.Set;

/**
 * One pool as the main interpreter's Python sees it ({@code tessera.InterpreterPool._handle}). Completed tasks
 * flow through an Agrona queue to the Python side's completion thread, which completes the
 * {@code concurrent.futures.Future}s there; workers never enter the main interpreter.
 */
@ExportLibrary(InteropLibrary.class)
final class PoolObject implements TruffleObject {
    static final int RESULT = 0;
    static final int ERROR = 1;
    static final int CANCELLED = 2;
    static final int DEADLINE = 3;
    static final int HOST_ERROR = 4;

    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of("workers", "startup_seconds", "replaced_workers"),
            Set.of("submit", "next_completion", "cancel", "running", "shutdown"));

    private final InterpreterPool pool;
    private final Map<Long, TaskFuture> pending = new ConcurrentHashMap<>();
    private final ManyToOneConcurrentLinkedQueue<TaskFuture> completions = new ManyToOneConcurrentLinkedQueue<>();
    private final AtomicLong undelivered = new AtomicLong();

    PoolObject(InterpreterPool pool) {
        this.pool = pool;
    }

    InterpreterPool pool() {
        return pool;
    }

    @ExportMessage
    boolean hasMembers() {
        return true;
    }

    @ExportMessage
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return MEMBERS.names();
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberReadable(String member) {
        return MEMBERS.isReadable(member);
    }

    @ExportMessage
    @TruffleBoundary
    boolean isMemberInvocable(String member) {
        return MEMBERS.isInvocable(member);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        return switch (member) {
            case "workers" -> pool.workerCount();
            case "startup_seconds" -> pool.startupTime().toNanos() / 1e9;
            case "replaced_workers" -> pool.replacedWorkers();
            default -> throw UnknownIdentifierException.create(member);
        };
    }

    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] args, @Bind("$node") Node node) throws UnknownIdentifierException {
        try {
            return switch (member) {
                case "submit" -> submit(args);
                case "next_completion" -> nextCompletion(((Number) args[0]).doubleValue(), node);
                case "cancel" -> {
                    TaskFuture f = pending.get(((Number) args[0]).longValue());
                    yield f != null && f.cancel((Boolean) args[1]);
                }
                case "running" -> {
                    TaskFuture f = pending.get(((Number) args[0]).longValue());
                    yield f != null && f.isRunning();
                }
                case "shutdown" -> {
                    pool.shutdown((Boolean) args[0], (Boolean) args[1]);
                    yield true;
                }
                default -> throw UnknownIdentifierException.create(member);
            };
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }

    /** submit(module, qualname, main_file, source, entry, args, kwargs, timeout) -> task id. */
    private long submit(Object[] a) {
        String module = optString(a[0]);
        String qualname = optString(a[1]);
        String mainFile = optString(a[2]);
        String source = optString(a[3]);
        String entry = optString(a[4]);
        @SuppressWarnings("unchecked")
        java.util.List<Object> args = (java.util.List<Object>) Shareables.fromGuest(a[5], "argument");
        Map<String, Object> kwargs = Shareables.kwargsFromGuest(a[6], "keyword argument");
        TaskFuture f = pool.submit(new TaskSpec(module, qualname, mainFile, source, entry, args, kwargs, null));
        pending.put(f.taskId(), f);
        undelivered.incrementAndGet();
        f.whenComplete((r, e) -> completions.offer(f));
        return f.taskId();
    }

    private static String optString(Object v) {
        Object host = Shareables.fromGuest(v, "task name");
        return host == null ? null : host.toString();
    }

    /** (id, kind, a, b, c) of the next finished task; None after timeout_s; (-1,) once shut down and drained. */
    private Object nextCompletion(double timeoutSeconds, Node node) {
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        IdleStrategy idle = Queue.newIdle();
        while (true) {
            TaskFuture f = completions.poll();
            if (f != null) {
                pending.remove(f.taskId());
                undelivered.decrementAndGet();
                return describe(f);
            }
            if (pool.isShutdown() && undelivered.get() == 0) {
                return new InteropArray(-1L);
            }
            if (System.nanoTime() - deadline >= 0) {
                return HostValue.NONE;
            }
            TruffleSafepoint.poll(node);
            idle.idle();
        }
    }

    private static Object describe(TaskFuture f) {
        long id = f.taskId();
        try {
            Object result = f.join();
            return new InteropArray(id, RESULT, Shareables.toGuest(result, ViewBuffer::of), HostValue.NONE, HostValue.NONE);
        } catch (CancellationException e) {
            return new InteropArray(id, CANCELLED, HostValue.NONE, HostValue.NONE, HostValue.NONE);
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WorkerException w) {
                return new InteropArray(id, ERROR, w.pythonType(), w.pythonMessage(), w.traceback());
            }
            if (cause instanceof TaskTimeoutException t) {
                return new InteropArray(id, DEADLINE, t.getMessage(), HostValue.NONE, HostValue.NONE);
            }
            return new InteropArray(id, HOST_ERROR, cause.getClass().getSimpleName(), String.valueOf(cause.getMessage()), HostValue.NONE);
        }
    }
}
