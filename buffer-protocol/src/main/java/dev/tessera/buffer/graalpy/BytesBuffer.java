package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.builtins.objects.buffer.PythonBufferAccessLibrary;
import com.oracle.graal.python.builtins.objects.buffer.PythonBufferAcquireLibrary;
import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.TruffleObject;
import com.oracle.truffle.api.library.ExportLibrary;
import com.oracle.truffle.api.library.ExportMessage;

/**
 * A {@code bytes} value crossing into an interpreter: a read-only buffer over a Java byte array that the
 * decoder turns into {@code bytes} with one array copy ({@code bytes(memoryview(carrier))}).
 */
@ExportLibrary(PythonBufferAcquireLibrary.class)
@ExportLibrary(PythonBufferAccessLibrary.class)
@ExportLibrary(InteropLibrary.class)
public final class BytesBuffer implements TruffleObject {
    private final byte[] bytes;

    public BytesBuffer(byte[] bytes) {
        this.bytes = bytes;
    }

    @ExportMessage
    boolean hasBuffer() {
        return true;
    }

    @ExportMessage
    Object acquire(@SuppressWarnings("unused") int flags) {
        return this;
    }

    @ExportMessage
    boolean isBuffer() {
        return true;
    }

    @ExportMessage
    int getBufferLength() {
        return bytes.length;
    }

    @ExportMessage
    boolean hasInternalByteArray() {
        return true;
    }

    @ExportMessage
    byte[] getInternalByteArray() {
        return bytes;
    }

    @ExportMessage
    byte readByte(int offset) {
        return bytes[offset];
    }

    @ExportMessage
    boolean hasMetaObject() {
        return true;
    }

    @ExportMessage
    Object getMetaObject() {
        return MetaType.BYTES;
    }
}
