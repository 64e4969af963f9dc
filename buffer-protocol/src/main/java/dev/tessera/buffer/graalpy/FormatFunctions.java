package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.PythonBuiltinClassType;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.interop.InteropArray;
import dev.tessera.codecs.Codecs;
import dev.tessera.formats.DatasetInfo;
import dev.tessera.formats.DatasetNotFoundException;
import dev.tessera.formats.FormatException;
import dev.tessera.formats.Hdf5;
import dev.tessera.formats.ReadOptions;
import dev.tessera.formats.UnsupportedFilterException;
import dev.tessera.formats.Zarr;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.ArrayView;
import dev.tessera.shm.SharedArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The host functions behind {@code tessera.hdf5} and {@code tessera.zarr}. A read runs in the host (its own
 * platform threads, no GIL): {@code format_read_start} checks the dataset and starts it, returning a job number;
 * Python waits in {@code format_read_wait} (GIL released), calling its progress callback between waits, and takes
 * the filled array from {@code format_read_finish}, which raises the read's error as a Python exception. Only the
 * main interpreter may read files: workers get {@link #refusing} (their file system is sandboxed).
 */
public final class FormatFunctions {
    private FormatFunctions() {
    }

    /** One read in flight: the array it fills, the lease it holds on it, whether the array is its own. */
    private static final class Job {
        final SharedArray array;
        final ArrayView lease;
        final boolean owned;
        final CompletableFuture<dev.tessera.formats.ReadStats> done = new CompletableFuture<>();
        final AtomicLong chunks = new AtomicLong();
        final AtomicLong total = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        volatile boolean cancelled;

        Job(SharedArray array, ArrayView lease, boolean owned) {
            this.array = array;
            this.lease = lease;
            this.owned = owned;
        }
    }

    public static List<HostFunction> of(ArrayStore store, GuestScope scope) {
        Map<Long, Job> jobs = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        return List.of(
                // format_read_start(kind "hdf5"|"zarr", path, dataset or None, workers or None, out or None) -> job id
                new HostFunction("format_read_start", 5, scope, (a, node) -> guarded(scope, node, () -> {
                    String kind = GuestArgs.asString(a[0], "kind");
                    Path path = Path.of(GuestArgs.asString(a[1], "path")).toAbsolutePath();
                    String dataset = kind.equals("hdf5") ? GuestArgs.asString(a[2], "dataset") : null;
                    int workers = GuestArgs.isNone(a[3]) ? 0 : GuestArgs.asInt(a[3], "workers");
                    if (workers < 0 || GuestArgs.isNone(a[3]) == false && workers == 0) {
                        throw new IllegalArgumentException("workers must be at least 1, got " + workers);
                    }
                    DatasetInfo info = kind.equals("hdf5") ? Hdf5.inspect(path, dataset) : Zarr.inspect(path);
                    SharedArray array;
                    boolean owned = GuestArgs.isNone(a[4]);
                    if (owned) {
                        array = store.allocate(info.dtype(), info.shape());
                    } else if (a[4] instanceof ArrayObject ao) {
                        array = ao.array();
                        if (array.dtype() != info.dtype() || array.elementCount() != info.elementCount()) {
                            throw new IllegalArgumentException("out is " + array.dtype().typeName() + " " + java.util.Arrays.toString(array.shape())
                                    + "; the dataset is " + info.dtype().typeName() + " " + java.util.Arrays.toString(info.shape())
                                    + " (out needs the same format and number of elements)");
                        }
                    } else {
                        throw new ClassCastException("out must be a tessera array (tessera.empty(shape, format)), not "
                                + GuestValues.typeName(a[4]));
                    }
                    ArrayView lease;
                    try {
                        lease = array.slice(0, array.length(), "tessera." + kind + ".read");
                    } catch (RuntimeException e) {
                        if (owned) {
                            array.close();
                        }
                        throw e;
                    }
                    Job job = new Job(array, lease, owned);
                    long id = ids.incrementAndGet();
                    jobs.put(id, job);
                    ReadOptions options = ReadOptions.threads(workers).withCancel(() -> job.cancelled)
                            .withProgress((c, t, b) -> {
                                job.chunks.set(c);
                                job.total.set(t);
                                job.bytes.set(b);
                            });
                    Thread.ofPlatform().name("tessera-" + kind + "-read").daemon().start(() -> {
                        try {
                            job.done.complete(kind.equals("hdf5") ? Hdf5.readInto(path, dataset, array, options)
                                    : Zarr.readInto(path, array, options));
                        } catch (Throwable t) {
                            job.done.completeExceptionally(t);
                        }
                    });
                    return id;
                })),
                // format_read_wait(job, seconds) -> (chunks done, chunks total, bytes done, finished)
                new HostFunction("format_read_wait", 2, scope, (a, node) -> {
                    Job job = job(jobs, a[0]);
                    double seconds = GuestArgs.asSeconds(a[1], "timeout", 0.1);
                    boolean finished;
                    try {
                        job.done.get((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
                        finished = true;
                    } catch (TimeoutException e) {
                        finished = false;
                    } catch (ExecutionException | CancellationException e) {
                        finished = true;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        finished = false;
                    }
                    return new InteropArray(job.chunks.get(), job.total.get(), job.bytes.get(), finished);
                }),
                // format_read_finish(job) -> the filled array, or raises the read's error (the array freed if it was the read's)
                new HostFunction("format_read_finish", 1, scope, (a, node) -> guarded(scope, node, () -> {
                    Job job = job(jobs, a[0]);
                    jobs.remove(GuestArgs.asLong(a[0], "job"));
                    try {
                        job.done.join();
                        job.lease.release();
                        return new ArrayObject(job.array);
                    } catch (java.util.concurrent.CompletionException e) {
                        job.lease.release();
                        if (job.owned) {
                            job.array.close();
                        }
                        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                    }
                })),
                // format_read_cancel(job): stops the read, waits for its threads, frees the array if it was the read's
                new HostFunction("format_read_cancel", 1, scope, (a, node) -> {
                    Job job = jobs.remove(GuestArgs.asLong(a[0], "job"));
                    if (job != null) {
                        job.cancelled = true;
                        try {
                            job.done.handle((r, t) -> null).join();
                        } finally {
                            job.lease.release();
                            if (job.owned) {
                                job.array.close();
                            }
                        }
                    }
                    return true;
                }),
                // format_info(kind, path, dataset or None) -> (format, shape, chunks, stored chunks, grid chunks, filters, description)
                new HostFunction("format_info", 3, scope, (a, node) -> guarded(scope, node, () -> {
                    String kind = GuestArgs.asString(a[0], "kind");
                    Path path = Path.of(GuestArgs.asString(a[1], "path")).toAbsolutePath();
                    DatasetInfo i = kind.equals("hdf5") ? Hdf5.inspect(path, GuestArgs.asString(a[2], "dataset")) : Zarr.inspect(path);
                    return new InteropArray(String.valueOf(i.dtype().format()), new InteropArray(box(i.shape())),
                            new InteropArray(box(i.chunkShape())), (long) i.storedChunks(), i.gridChunks(), i.filters(), i.description());
                })),
                // codecs_info() -> ((format, implementation), ...)
                new HostFunction("codecs_info", 0, scope, (a, node) -> new InteropArray(Codecs.defaults().describe().entrySet().stream()
                        .map(e -> new InteropArray(e.getKey(), e.getValue())).toArray())));
    }

    /** For interpreters without file access (workers): the same names, each raising PermissionError. */
    public static List<HostFunction> refusing(GuestScope scope) {
        return List.of("format_read_start", "format_read_wait", "format_read_finish", "format_read_cancel", "format_info").stream()
                .map(name -> new HostFunction(name, 0, 8, scope, (a, node) -> {
                    throw PythonErrors.raise(node, PythonBuiltinClassType.PermissionError, "tessera.hdf5 and tessera.zarr read files in"
                            + " the main interpreter only (workers have a sandboxed file system); read there and pass the array's views");
                })).toList();
    }

    private static Object[] box(long[] v) {
        Object[] o = new Object[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = v[i];
        }
        return o;
    }

    private static Job job(Map<Long, Job> jobs, Object id) {
        Job j = jobs.get(GuestArgs.asLong(id, "job"));
        if (j == null) {
            throw new IllegalArgumentException("no read in progress with id " + id);
        }
        return j;
    }

    /** Runs {@code body}, raising format errors as tessera's Python classes, missing files and datasets as builtins. */
    private static Object guarded(GuestScope scope, Node node, java.util.function.Supplier<Object> body) {
        try {
            return body.get();
        } catch (DatasetNotFoundException e) {
            throw PythonErrors.raise(node, e.fileMissing() ? PythonBuiltinClassType.FileNotFoundError : PythonBuiltinClassType.KeyError,
                    e.getMessage());
        } catch (UnsupportedFilterException e) {
            throw scope.raise(node, "UnsupportedFilterError", e.getMessage());
        } catch (FormatException e) {
            throw scope.raise(node, "FormatError", e.getMessage());
        } catch (CancellationException e) {
            throw PythonErrors.raise(node, PythonBuiltinClassType.KeyboardInterrupt, e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            throw PythonErrors.raise(node, PythonBuiltinClassType.ValueError, "bad path: " + e.getMessage());
        }
    }
}
