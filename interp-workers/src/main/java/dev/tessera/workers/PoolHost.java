package dev.tessera.workers;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.dsl.Bind;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.PythonRuntime;
import dev.tessera.buffer.graalpy.HostMembers;
import dev.tessera.buffer.graalpy.PythonErrors;
import dev.tessera.shm.ArrayStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;

/**
 * {@code tessera._pool_host} in the main interpreter: creates pools on the main interpreter's engine and store,
 * and shuts down whatever pools are left when the main interpreter ends.
 */
@ExportLibrary(InteropLibrary.class)
public final class PoolHost implements TruffleObject, AutoCloseable {
    private static final HostMembers MEMBERS = HostMembers.of(
            Set.of(),
            Set.of("create"));

    private final PythonRuntime runtime;
    private final ArrayStore store;
    private final List<PoolObject> pools = new CopyOnWriteArrayList<>();

    public PoolHost(PythonRuntime runtime, ArrayStore store) {
        this.runtime = runtime;
        this.store = store;
    }

    /** Pools created from Python that are not shut down yet. */
    public List<InterpreterPool> livePools() {
        return pools.stream().map(PoolObject::pool).filter(p -> !p.isShutdown()).toList();
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
    boolean isMemberInvocable(String member) {
        return MEMBERS.isInvocable(member);
    }

    /**
     * create(max_workers, preload, initializer, sys_path, task_timeout, allow_read): initializer is
     * (module, qualname, main_file, initargs) or None; a negative task_timeout means none.
     */
    @ExportMessage
    @TruffleBoundary
    Object invokeMember(String member, Object[] a, @Bind("$node") Node node) throws UnknownIdentifierException {
        if (!"create".equals(member)) {
            throw UnknownIdentifierException.create(member);
        }
        try {
            InterpreterPool.Builder b = InterpreterPool.builder().runtime(runtime).store(store);
            int workers = ((Number) a[0]).intValue();
            if (workers > 0) {
                b.workers(workers);
            }
            b.preload(strings(a[1]).toArray(String[]::new));
            Object init = Shareables.fromGuest(a[2], "initializer");
            if (init instanceof List<?> i) {
                List<?> initArgs = (List<?>) i.get(3);
                b.initializer((String) i.get(0), (String) i.get(1), (String) i.get(2), initArgs.toArray());
            }
            b.sysPath(paths(a[3]));
            double timeout = ((Number) a[4]).doubleValue();
            if (timeout >= 0) {
                b.taskDeadline(Duration.ofNanos((long) (timeout * 1e9)));
            }
            b.allowRead(paths(a[5]));
            PoolObject pool = new PoolObject(b.build());
            pools.add(pool);
            return pool;
        } catch (RuntimeException e) {
            throw PythonErrors.fromHost(node, e);
        }
    }

    private static List<String> strings(Object guestTuple) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) Shareables.fromGuest(guestTuple, "names")) {
            out.add((String) o);
        }
        return out;
    }

    private static Path[] paths(Object guestTuple) {
        return strings(guestTuple).stream().map(Path::of).toArray(Path[]::new);
    }

    /** Shuts down every pool still running (the main interpreter is ending). */
    @Override
    public void close() {
        for (PoolObject p : pools) {
            p.pool().shutdownNow();
        }
    }
}
