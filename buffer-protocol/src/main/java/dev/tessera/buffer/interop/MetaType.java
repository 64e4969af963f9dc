package dev.tessera.buffer.interop;

import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.utilities.TriState;

/**
 * The class of a kind of Tessera host object as interop sees it. Python registers its own class for it
 * ({@code polyglot.register_interop_type}), which gives the foreign object Python methods ({@code __enter__},
 * {@code __repr__}, properties) while it stays the host object underneath (the buffer that {@code memoryview()}
 * accepts, the queue that crosses between interpreters).
 */
@ExportLibrary(InteropLibrary.class)
public final class MetaType implements TruffleObject {
    private final String qualifiedName;
    private final String simpleName;
    private final Class<?> instanceClass;

    private MetaType(String qualifiedName, String simpleName, Class<?> instanceClass) {
        this.qualifiedName = qualifiedName;
        this.simpleName = simpleName;
        this.instanceClass = instanceClass;
    }

    /** The meta type of the host objects of class {@code instanceClass}, e.g. {@code tessera.Queue}. */
    public static MetaType of(String qualifiedName, Class<?> instanceClass) {
        return new MetaType(qualifiedName, qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1), instanceClass);
    }

    @ExportMessage
    boolean isMetaObject() {
        return true;
    }

    @ExportMessage
    Object getMetaQualifiedName() {
        return qualifiedName;
    }

    @ExportMessage
    Object getMetaSimpleName() {
        return simpleName;
    }

    @ExportMessage
    boolean isMetaInstance(Object instance) {
        return instanceClass.isInstance(instance);
    }

    @ExportMessage
    TriState isIdenticalOrUndefined(Object other) {
        return TriState.valueOf(this == other);
    }

    @ExportMessage
    int identityHashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return qualifiedName;
    }
}
