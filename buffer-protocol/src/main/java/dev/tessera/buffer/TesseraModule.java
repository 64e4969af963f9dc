package dev.tessera.buffer;

import dev.tessera.buffer.graalpy.ArrayHost;
import dev.tessera.shm.ArrayStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;

/**
 * Builds the {@code tessera} Python module inside one interpreter, without any file system: each part is
 * Python source shipped as a class-path resource, executed in the module's namespace after the host objects it
 * calls into were set as module globals. Modules above buffer-protocol add their own parts and host objects.
 */
public final class TesseraModule {
    /** The array part: empty/zeros, Array, View. */
    public static final String ARRAYS_PART = "/dev/tessera/python/_arrays.py";
    /** Shareable values: carriers from the host, NotShareableError, the check before sending. */
    public static final String VALUES_PART = "/dev/tessera/python/_values.py";

    private final Map<String, Object> hosts = new LinkedHashMap<>();
    private final List<String> parts = new ArrayList<>();

    /** The array functions of {@code tessera}, allocating in {@code store}. */
    public static TesseraModule withArrays(ArrayStore store) {
        return new TesseraModule().host("_array_host", new ArrayHost(store)).part(ARRAYS_PART).part(VALUES_PART);
    }

    /** Sets a module global that the parts call into (a Truffle object or a polyglot proxy). */
    public TesseraModule host(String name, Object hostObject) {
        hosts.put(name, hostObject);
        return this;
    }

    /** Adds a Python source part (a class-path resource), run after the parts before it. */
    public TesseraModule part(String resource) {
        parts.add(resource);
        return this;
    }

    /** Creates {@code sys.modules['tessera']} in {@code context} and runs the parts in it. */
    public Value install(Context context) {
        Value installer = context.eval(Source.create("python", """
                def _tessera_install(name):
                    import sys, types
                    m = sys.modules.get(name)
                    if m is None:
                        m = types.ModuleType(name, "Tessera: shared-memory arrays and parallel interpreters.")
                        sys.modules[name] = m
                    def run(source, filename):
                        exec(compile(source, filename, "exec"), m.__dict__)
                    return m, run
                _tessera_install
                """));
        Value pair = installer.execute("tessera");
        Value module = pair.getArrayElement(0);
        Value run = pair.getArrayElement(1);
        hosts.forEach(module::putMember);
        for (String part : parts) {
            run.execute(read(part), "<tessera>" + part.substring(part.lastIndexOf('/')));
        }
        context.getBindings("python").removeMember("_tessera_install");
        return module;
    }

    static String read(String resource) {
        try (InputStream in = TesseraModule.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing Python part " + resource + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
