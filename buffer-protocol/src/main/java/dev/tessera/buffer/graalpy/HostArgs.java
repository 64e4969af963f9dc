package dev.tessera.buffer.graalpy;

import com.oracle.truffle.api.interop.InteropLibrary;
import com.oracle.truffle.api.interop.InvalidArrayIndexException;
import com.oracle.truffle.api.interop.UnsupportedMessageException;

/**
 * Reads interop arguments of Tessera's host calls. The Python layer has already checked their types, so a
 * mismatch here is a bug of Tessera's own Python code and is reported as a TypeError naming the argument.
 */
final class HostArgs {
    private static final InteropLibrary INTEROP = InteropLibrary.getUncached();

    private HostArgs() {
    }

    static void arity(String call, Object[] args, int expected) {
        if (args.length != expected) {
            throw new ClassCastException(call + "() takes " + expected + " argument(s), got " + args.length);
        }
    }

    static long asLong(String call, Object arg) {
        try {
            return INTEROP.asLong(arg);
        } catch (UnsupportedMessageException e) {
            throw new ClassCastException(call + "(): expected an int that fits in 64 bits, got " + display(arg));
        }
    }

    static String asString(String call, Object arg) {
        try {
            return INTEROP.asString(arg);
        } catch (UnsupportedMessageException e) {
            throw new ClassCastException(call + "(): expected a str, got " + display(arg));
        }
    }

    static String asStringOrNull(String call, Object arg) {
        return INTEROP.isNull(arg) ? null : asString(call, arg);
    }

    static long[] asLongs(String call, Object arg) {
        try {
            long n = INTEROP.getArraySize(arg);
            long[] out = new long[(int) n];
            for (int i = 0; i < n; i++) {
                out[i] = asLong(call, INTEROP.readArrayElement(arg, i));
            }
            return out;
        } catch (UnsupportedMessageException | InvalidArrayIndexException e) {
            throw new ClassCastException(call + "(): expected a sequence of ints, got " + display(arg));
        }
    }

    private static String display(Object arg) {
        return String.valueOf(INTEROP.toDisplayString(arg, false));
    }
}
