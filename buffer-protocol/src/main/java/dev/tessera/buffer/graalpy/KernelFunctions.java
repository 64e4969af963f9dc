package dev.tessera.buffer.graalpy;

import com.oracle.graal.python.PythonLanguage;
import com.oracle.graal.python.builtins.objects.PNone;
import com.oracle.graal.python.builtins.objects.bytes.PBytesLike;
import com.oracle.graal.python.builtins.objects.floats.PFloat;
import com.oracle.graal.python.builtins.objects.ints.PInt;
import com.oracle.graal.python.runtime.object.PFactory;
import com.oracle.truffle.api.nodes.Node;
import dev.tessera.buffer.values.Tuple;
import dev.tessera.kernels.Codec;
import dev.tessera.kernels.Compare;
import dev.tessera.kernels.Decompression;
import dev.tessera.kernels.Kernels;
import dev.tessera.kernels.Strided;
import dev.tessera.shm.ArrayClosedException;
import dev.tessera.shm.DType;
import java.math.BigInteger;
import java.util.List;

/**
 * The host functions behind {@code tessera.kernels}: each resolves its arguments to memory once ({@link KernelArgs})
 * and runs one of {@link Kernels}' loops over it, without the GIL.
 */
public final class KernelFunctions {
    private KernelFunctions() {
    }

    /** What a kernel does with its (Python) arguments. */
    @FunctionalInterface
    private interface Body {
        Object call(Object[] a, Node node);
    }

    private static HostFunction kernel(String name, int min, int max, GuestScope scope, Body body) {
        return new HostFunction("kernel_" + name, min, max, scope, (a, node) -> {
            try {
                return body.call(a, node);
            } catch (IllegalStateException e) { // FFM: the array's memory was released under the kernel
                if (String.valueOf(e.getMessage()).contains("closed")) {
                    throw new ArrayClosedException("the array was released: its memory is gone");
                }
                throw e;
            }
        });
    }

    private static HostFunction kernel(String name, int args, GuestScope scope, Body body) {
        return kernel(name, args, args, scope, body);
    }

    public static List<HostFunction> of(GuestScope scope) {
        return List.of(
                kernel("fill", 2, scope, (a, node) -> {
                    Strided dst = KernelArgs.strided(a[0], "view");
                    if (isFloat(a[1])) {
                        Kernels.fill(dst, asDouble(a[1]));
                    } else {
                        Kernels.fill(dst, exactLong(a[1], "value"));
                    }
                    return PNone.NONE;
                }),
                kernel("arange", 3, scope, (a, node) -> {
                    Strided dst = KernelArgs.strided(a[0], "view");
                    if (isFloat(a[1]) || isFloat(a[2])) {
                        Kernels.arange(dst, asDouble(a[1]), asDouble(a[2]));
                    } else {
                        Kernels.arange(dst, exactLong(a[1], "start"), exactLong(a[2], "step"));
                    }
                    return PNone.NONE;
                }),
                kernel("copy", 2, scope, (a, node) -> {
                    Kernels.copy(KernelArgs.strided(a[0], "dst"), KernelArgs.strided(a[1], "src"));
                    return PNone.NONE;
                }),
                kernel("cast", 2, scope, (a, node) -> {
                    Kernels.cast(KernelArgs.strided(a[0], "dst"), KernelArgs.strided(a[1], "src"));
                    return PNone.NONE;
                }),
                kernel("byteswap", 1, scope, (a, node) -> {
                    Kernels.byteswap(KernelArgs.strided(a[0], "view"));
                    return PNone.NONE;
                }),
                kernel("sum", 1, scope, (a, node) -> {
                    Strided v = KernelArgs.strided(a[0], "view");
                    return isFloat(v.dtype()) ? (Object) Kernels.sum(v) : integer(Kernels.sumLong(v), v.dtype(), node);
                }),
                kernel("mean", 1, scope, (a, node) -> Kernels.mean(KernelArgs.strided(a[0], "view"))),
                kernel("min", 1, scope, (a, node) -> {
                    Strided v = KernelArgs.strided(a[0], "view");
                    return isFloat(v.dtype()) ? (Object) Kernels.min(v) : integer(Kernels.minLong(v), v.dtype(), node);
                }),
                kernel("max", 1, scope, (a, node) -> {
                    Strided v = KernelArgs.strided(a[0], "view");
                    return isFloat(v.dtype()) ? (Object) Kernels.max(v) : integer(Kernels.maxLong(v), v.dtype(), node);
                }),
                kernel("count_where", 3, scope, (a, node) -> {
                    Strided v = KernelArgs.strided(a[0], "view");
                    Compare op = Compare.parse(GuestArgs.asString(a[1], "op"));
                    return isFloat(a[2]) ? Kernels.countWhere(v, op, asDouble(a[2])) : Kernels.countWhere(v, op, exactLong(a[2], "value"));
                }),
                kernel("where", 4, scope, (a, node) -> {
                    Strided mask = KernelArgs.strided(a[0], "mask");
                    Strided v = KernelArgs.strided(a[1], "view");
                    Compare op = Compare.parse(GuestArgs.asString(a[2], "op"));
                    return isFloat(a[3]) ? Kernels.where(mask, v, op, asDouble(a[3]), false) : Kernels.where(mask, v, op, exactLong(a[3], "value"));
                }),
                kernel("compress", 3, scope, (a, node) -> Kernels.compress(KernelArgs.strided(a[0], "dst"),
                        KernelArgs.strided(a[1], "src"), KernelArgs.strided(a[2], "mask"))),
                kernel("take", 3, scope, (a, node) -> {
                    Kernels.take(KernelArgs.strided(a[0], "dst"), KernelArgs.strided(a[1], "src"), KernelArgs.strided(a[2], "indices"));
                    return PNone.NONE;
                }),
                kernel("histogram", 4, scope, (a, node) -> guestLongs(Kernels.histogram(KernelArgs.strided(a[0], "view"),
                        GuestArgs.asInt(a[1], "bins"), asDouble(a[2]), asDouble(a[3])), node)),
                kernel("bincount", 2, scope, (a, node) -> guestLongs(Kernels.bincount(KernelArgs.strided(a[0], "keys"),
                        GuestArgs.asInt(a[1], "n")), node)),
                kernel("logical_and", 3, scope, (a, node) -> Kernels.logicalAnd(KernelArgs.strided(a[0], "dst"),
                        KernelArgs.strided(a[1], "a"), KernelArgs.strided(a[2], "b"))),
                kernel("group_sum", 3, 4, scope, (a, node) -> {
                    Strided where = a.length > 3 && !GuestArgs.isNone(a[3]) ? KernelArgs.strided(a[3], "where") : null;
                    double[] sums = Kernels.groupSum(KernelArgs.strided(a[0], "keys"), KernelArgs.strided(a[1], "values"),
                            GuestArgs.asInt(a[2], "n"), where);
                    return GuestValues.toGuest(Tuple.wrapDoubles(sums), PythonLanguage.get(node), false);
                }),
                kernel("decompress_into", 4, scope, (a, node) -> {
                    Strided dst = KernelArgs.strided(a[0], "view");
                    Strided data = KernelArgs.strided(a[1], "data");
                    if (!data.isContiguous()) {
                        throw new IllegalArgumentException("data must be contiguous bytes");
                    }
                    return Decompression.decompressInto(dst, data.segment().asSlice(data.start(), data.count() * data.dtype().itemSize()),
                            Codec.parse(GuestArgs.asString(a[2], "codec")), GuestArgs.truthy(a[3]));
                }));
    }

    private static boolean isFloat(DType t) {
        return t == DType.FLOAT32 || t == DType.FLOAT64;
    }

    private static boolean isFloat(Object v) {
        return v instanceof Double || v instanceof PFloat;
    }

    private static double asDouble(Object v) {
        if (v instanceof Double d) {
            return d;
        } else if (v instanceof PFloat f) {
            return f.getValue();
        } else if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        return exactLong(v, "value");
    }

    /** A Python int (or bool) that fits in 64 bits; OverflowError otherwise. */
    private static long exactLong(Object v, String what) {
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v instanceof PInt p && p.getValue().bitLength() >= 64) {
            throw new ArithmeticException("Python integer " + p.getValue() + " out of bounds for 64-bit integers");
        }
        if (v instanceof PBytesLike) {
            throw new ClassCastException(what + " must be a number, not bytes");
        }
        return GuestArgs.asLong(v, what);
    }

    /** An integer result as Python sees it: uint64 unsigned. */
    private static Object integer(long v, DType t, Node node) {
        if (t == DType.UINT64 && v < 0) {
            return PFactory.createInt(PythonLanguage.get(node), new BigInteger(Long.toUnsignedString(v)));
        }
        return v;
    }

    private static Object guestLongs(long[] values, Node node) {
        return GuestValues.toGuest(Tuple.wrapLongs(values), PythonLanguage.get(node), false);
    }
}
