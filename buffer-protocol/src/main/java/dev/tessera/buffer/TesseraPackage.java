package dev.tessera.buffer;

import dev.tessera.buffer.graalpy.ArrayFunctions;
import dev.tessera.buffer.graalpy.ArrayObject;
import dev.tessera.buffer.graalpy.FormatFunctions;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import dev.tessera.buffer.graalpy.KernelFunctions;
import dev.tessera.buffer.graalpy.ViewBuffer;
import dev.tessera.buffer.interop.InteropArray;
import dev.tessera.kernels.Codec;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * Builds the {@code tessera} package inside one interpreter, without any file system, the way CPython's
 * {@code concurrent.interpreters} is made of parts: {@code tessera._host} holds this interpreter's host functions;
 * each part (Python source shipped as a class-path resource) runs as its own module ({@code tessera._arrays},
 * {@code tessera._queues}, ...) importing what it needs explicitly; the package exports every part's
 * {@code __all__}. Every interpreter gets the same public names. Modules above buffer-protocol add their parts
 * and host functions.
 */
public final class TesseraPackage {
    /**
     * One part of the package: a module {@code tessera.NAME} made from the resource {@code NAME.py}. A lazy part
     * lists its exports (its {@code __all__}, checked when it loads) and runs the first time one is used.
     */
    public record Part(String name, String text, List<String> lazyExports) {
        /** The part whose source is the class-path resource {@code /dev/tessera/python/NAME.py}. */
        public static Part of(String name) {
            return new Part(name, read("/dev/tessera/python/" + name + ".py"), null);
        }

        /** A part that runs the first time one of {@code exports} is used. */
        public static Part lazy(String name, String... exports) {
            return new Part(name, read("/dev/tessera/python/" + name + ".py"), List.of(exports));
        }

        String fileName() {
            return "<tessera>/" + name + ".py";
        }
    }

    /** NotShareableError and what may cross between interpreters. */
    public static final Part CROSSING = Part.of("_crossing");
    /** How values that are not shareable cross: the pickles the host asks for (_xi_dumps, _xi_loads). */
    public static final Part PICKLES = Part.of("_pickles");
    /** empty/zeros, Array, View. */
    public static final Part ARRAYS = Part.of("_arrays");
    /** tessera.kernels: bulk operations on views. */
    public static final Part KERNELS = Part.of("kernels");
    /** FormatError, UnsupportedFilterError, codecs(): what tessera.hdf5 and tessera.zarr share. */
    public static final Part FORMATS = Part.of("_formats");
    /** tessera.hdf5: chunked HDF5 datasets read by host threads. */
    public static final Part HDF5 = Part.of("hdf5");
    /** tessera.zarr: Zarr v2 arrays read by host threads. */
    public static final Part ZARR = Part.of("zarr");

    // One Source object for every interpreter of the process: Truffle shares what it parses between contexts.
    private static final Source BOOTSTRAP = Source.create("python", read("/dev/tessera/python/_bootstrap.py"));

    private final GuestScope scope;
    private final Map<String, Object> host = new LinkedHashMap<>();
    private final List<Part> parts = new ArrayList<>();

    private TesseraPackage(GuestScope scope) {
        this.scope = scope;
        host("bind_classes", new HostFunction("bind_classes", 1, scope, (a, node) -> {
            scope.bindClasses(a[0]);
            return true;
        }));
        if (Boolean.getBoolean("tessera.traceStartup")) {
            host("trace_startup", true);
        }
        // Right after each part compiles, before a collection can drop its parse from the engine (see SharedCode).
        host("keep_parsed", new HostFunction("keep_parsed", 0, scope, (a, node) -> {
            SharedCode.keep(Context.getCurrent());
            return true;
        }));
        host("is_shareable", new HostFunction("is_shareable", 1, scope, (a, node) -> {
            try {
                GuestValues.toHost(a[0], "value");
                return true;
            } catch (IllegalArgumentException e) { // NotShareableException, or nested too deep
                return false;
            }
        }));
    }

    /**
     * The array functions of {@code tessera}, allocating in {@code store}, for the interpreter of {@code scope}, with
     * {@code tessera.hdf5} and {@code tessera.zarr} reading files; an interpreter without file access replaces their
     * host functions with {@link FormatFunctions#refusing}.
     */
    public static TesseraPackage withArrays(ArrayStore store, GuestScope scope) {
        return withArrays(ArrayFunctions.of(store, scope), FormatFunctions.of(store, scope), scope);
    }

    /**
     * The array functions of {@code tessera} for an interpreter without file access (a worker): its format readers
     * refuse, and it allocates in the store {@code stores} gives at each call (a worker made ahead learns its pool's
     * store when a pool adopts it).
     */
    public static TesseraPackage sandboxedWithArrays(Supplier<ArrayStore> stores, GuestScope scope) {
        List<HostFunction> formats = new ArrayList<>(FormatFunctions.refusing(scope));
        java.util.Set<String> refused = new java.util.HashSet<>();
        formats.forEach(f -> refused.add(f.name()));
        // The format functions that read no file (codecs_info) as every interpreter has them; the refused ones are
        // the only ones that would reach a store.
        FormatFunctions.of((ArrayStore) null, scope).stream().filter(f -> !refused.contains(f.name())).forEach(formats::add);
        return withArrays(ArrayFunctions.of(stores, scope), formats, scope);
    }

    private static TesseraPackage withArrays(List<HostFunction> arrays, List<HostFunction> formats, GuestScope scope) {
        TesseraPackage p = new TesseraPackage(scope);
        p.host(arrays).host(KernelFunctions.of(scope)).host(formats);
        p.host("array_type", ArrayObject.META).host("view_type", ViewBuffer.META);
        // The tables Python shows are the host's own, not copies: formats (tessera.FORMATS) and codecs (kernels.CODECS).
        p.host("formats", new InteropArray(Arrays.stream(DType.values()).map(t -> new InteropArray(t.formatString(), t.typeName())).toArray()));
        p.host("codecs", new InteropArray(Arrays.stream(Codec.values()).map(c -> (Object) c.pythonName()).toArray()));
        return p.part(CROSSING).part(PICKLES).part(ARRAYS).part(KERNELS).part(FORMATS).part(HDF5).part(ZARR);
    }

    public GuestScope scope() {
        return scope;
    }

    /** Sets {@code tessera._host.NAME} (a host function, a meta type, a constant). */
    public TesseraPackage host(String name, Object value) {
        host.put(name, value);
        return this;
    }

    public TesseraPackage host(List<HostFunction> functions) {
        functions.forEach(f -> host(f.name(), f));
        return this;
    }

    /** Adds a part, run after the parts before it. */
    public TesseraPackage part(Part part) {
        parts.add(part);
        return this;
    }

    /** Creates {@code sys.modules['tessera']} and its parts in {@code context}; returns the package module. */
    public Value install(Context context) {
        Object[] hostPairs = host.entrySet().stream().map(e -> new InteropArray(e.getKey(), e.getValue())).toArray();
        Object[] partTriples = parts.stream().map(p -> new InteropArray(p.name(), p.fileName(), p.text(),
                new InteropArray(p.lazyExports() == null ? new Object[0] : p.lazyExports().toArray()))).toArray();
        Value installer = context.eval(BOOTSTRAP);
        Value pkg = installer.execute(new InteropArray(hostPairs), new InteropArray(partTriples));
        SharedCode.keep(context);
        return pkg;
    }

    static String read(String resource) {
        try (InputStream in = TesseraPackage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing Python part " + resource + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
