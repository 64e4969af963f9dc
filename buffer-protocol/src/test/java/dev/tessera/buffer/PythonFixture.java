package dev.tessera.buffer;

import dev.tessera.shm.ArrayStore;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;

/** One shared engine per test JVM (the first context in an engine is slow), a fresh context per use. */
final class PythonFixture implements AutoCloseable {
    private static PythonRuntime runtime;

    static synchronized PythonRuntime runtime() {
        if (runtime == null) {
            runtime = PythonRuntime.start();
        }
        return runtime;
    }

    final ArrayStore store;
    final Context context;

    PythonFixture() {
        this(Long.MAX_VALUE);
    }

    PythonFixture(long byteLimit) {
        store = new ArrayStore(byteLimit);
        context = runtime().contextBuilder().build();
        TesseraPackage.withArrays(store, new dev.tessera.buffer.graalpy.GuestScope("test")).install(context);
        eval("import tessera");
    }

    Value eval(String code) {
        return context.eval("python", code);
    }

    /** Runs code that must raise; returns "TypeName: message" of the Python exception. */
    String pythonError(String code) {
        try {
            eval(code);
        } catch (PolyglotException e) {
            if (!e.isGuestException()) {
                throw new AssertionError("expected a Python exception, got a host one", e);
            }
            Value exc = e.getGuestObject();
            return exc.getMetaObject().getMetaSimpleName() + ": " + exc.toString().replaceFirst("^[A-Za-z]+\\(?'?", "");
        }
        throw new AssertionError("no exception from: " + code);
    }

    @Override
    public void close() {
        context.close(true);
        store.close();
    }
}
