package dev.tessera.workers.python;

import dev.tessera.buffer.graalpy.GuestArgs;
import dev.tessera.buffer.graalpy.GuestScope;
import dev.tessera.buffer.graalpy.GuestValues;
import dev.tessera.buffer.graalpy.HostFunction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Modules Tessera adds to the standard library of every interpreter, from class-path resources under
 * {@code /dev/tessera/python/overlay/} (so a worker, which has no file system, gets them too): CPython 3.14's
 * {@code concurrent.interpreters}, {@code concurrent.futures.interpreter} and their low-level modules, which
 * GraalPy's Python 3.12 lacks. The import hook that serves them is the part {@code _overlay}.
 */
final class StdlibOverlay {
    /** The module names served, each a resource path under the overlay directory. */
    static final List<String> MODULES = List.of("_interpreters", "_interpqueues", "concurrent.interpreters",
            "concurrent.interpreters._crossinterp", "concurrent.interpreters._queues", "concurrent.futures.interpreter");
    private static final Map<String, Optional<Source>> SOURCES = new ConcurrentHashMap<>();

    record Source(String fileName, String text, boolean isPackage) {
    }

    private StdlibOverlay() {
    }

    /** The module names, as Python reads them (an interop array of strings). */
    static Object names() {
        return new dev.tessera.buffer.interop.InteropArray(MODULES.toArray());
    }

    static List<HostFunction> functions(GuestScope scope) {
        // overlay_source(name) -> (filename, source, is_package), or None for a module the overlay does not have
        return List.of(new HostFunction("overlay_source", 1, scope, (a, node) -> {
            Optional<Source> s = source(GuestArgs.asString(a[0], "name"));
            if (s.isEmpty()) {
                return GuestValues.none();
            }
            return GuestValues.tuple(node, GuestValues.str(s.get().fileName()), GuestValues.str(s.get().text()), s.get().isPackage());
        }));
    }

    static Optional<Source> source(String name) {
        if (!MODULES.contains(name)) {
            return Optional.empty();
        }
        return SOURCES.computeIfAbsent(name, n -> {
            String path = n.replace('.', '/');
            String text = read("/dev/tessera/python/overlay/" + path + "/__init__.py");
            if (text != null) {
                return Optional.of(new Source("<tessera overlay>/" + path + "/__init__.py", text, true));
            }
            text = read("/dev/tessera/python/overlay/" + path + ".py");
            return text == null ? Optional.empty() : Optional.of(new Source("<tessera overlay>/" + path + ".py", text, false));
        });
    }

    private static String read(String resource) {
        try (InputStream in = StdlibOverlay.class.getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
