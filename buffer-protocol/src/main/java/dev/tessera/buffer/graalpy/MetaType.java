package dev.tessera.buffer.graalpy;

import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import com.oracle.truffle.api.utilities.TriState;

/**
 * The class of a Tessera object as interop sees it. Python registers its own class for it
 * ({@code polyglot.register_interop_type}), which gives the foreign object Python methods ({@code __enter__},
 * {@code __repr__}, properties) while it stays the buffer object that {@code memoryview()} accepts.
 */
@ExportLibrary(InteropLibrary.class)
public final class MetaType implements TruffleObject {
    public static final MetaType ARRAY = new MetaType("tessera.Array", "Array", ArrayObject.class);
    public static final MetaType VIEW = new MetaType("tessera.View", "View", ViewBuffer.class);
    public static final MetaType TUPLE = new MetaType("tessera._HostTuple", "_HostTuple", InteropArray.class);
    public static final MetaType BYTES = new MetaType("tessera._HostBytes", "_HostBytes", BytesBuffer.class);
    public static final MetaType NONE = new MetaType("tessera._HostNone", "_HostNone", HostValue.class);
    public static final MetaType BIGINT = new MetaType("tessera._HostBigInt", "_HostBigInt", HostValue.class);

    private final String qualifiedName;
    private final String simpleName;
    private final Class<?> instanceClass;

    private MetaType(String qualifiedName, String simpleName, Class<?> instanceClass) {
        this.qualifiedName = qualifiedName;
        this.simpleName = simpleName;
        this.instanceClass = instanceClass;
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

    /** Registers a meta type of a module above buffer-protocol (e.g. the queue of interp-workers). */
    public static MetaType of(String qualifiedName, String simpleName, Class<?> instanceClass) {
        return new MetaType(qualifiedName, simpleName, instanceClass);
    }

    @ExportMessage
    boolean isMetaInstance(Object instance) {
        if (instance instanceof HostValue v) {
            return v.getMetaObject() == this;
        }
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
