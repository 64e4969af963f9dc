package dev.tessera.buffer.graalpy;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.interop.UnknownIdentifierException;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;
import java.math.BigInteger;

/**
 * Carries a shareable value that interop has no exact Python form for into an interpreter: None, and ints
 * beyond 64 bits (as decimal digits). Python's decoder ({@code tessera._decode}) turns them back into
 * {@code None} / {@code int}. Plain longs, doubles, booleans and strings need no carrier.
 */
@ExportLibrary(InteropLibrary.class)
public final class HostValue implements TruffleObject {
    public static final HostValue NONE = new HostValue(MetaType.NONE, null);

    private final MetaType type;
    private final String digits;

    private HostValue(MetaType type, String digits) {
        this.type = type;
        this.digits = digits;
    }

    public static HostValue bigInt(BigInteger value) {
        return new HostValue(MetaType.BIGINT, value.toString());
    }

    @ExportMessage
    boolean hasMembers() {
        return type == MetaType.BIGINT;
    }

    @ExportMessage
    Object getMembers(@SuppressWarnings("unused") boolean includeInternal) {
        return new InteropArray(type == MetaType.BIGINT ? new Object[] {"digits"} : new Object[0]);
    }

    @ExportMessage
    boolean isMemberReadable(String member) {
        return type == MetaType.BIGINT && "digits".equals(member);
    }

    @ExportMessage
    @TruffleBoundary
    Object readMember(String member) throws UnknownIdentifierException {
        if (type == MetaType.BIGINT && "digits".equals(member)) {
            return digits;
        }
        throw UnknownIdentifierException.create(member);
    }

    @ExportMessage
    boolean hasMetaObject() {
        return true;
    }

    @ExportMessage
    Object getMetaObject() {
        return type;
    }

    @ExportMessage
    @TruffleBoundary
    Object toDisplayString(@SuppressWarnings("unused") boolean allowSideEffects) {
        return type == MetaType.NONE ? "None" : digits;
    }
}
