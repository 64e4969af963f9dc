package dev.tessera.buffer;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.buffer.graalpy.ArrayObject;
import dev.tessera.buffer.graalpy.ViewBuffer;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonViewsTest {
    PythonFixture py;

    @BeforeEach
    void open() {
        py = new PythonFixture();
    }

    @AfterEach
    void close() {
        py.close();
    }

    @Test
    void optimizingRuntimeIsOn() {
        assertEquals("GraalVM CE", PythonFixture.runtime().implementationName());
    }

    @Test
    void everyDtypeRoundTripsHostToPythonAndBack() {
        py.eval("""
                samples = {'b': -5, 'h': -300, 'i': -70000, 'q': -(2**40), 'B': 200, 'H': 60000, 'I': 4000000000,
                           'Q': 2**63 + 5, 'f': 1.5, 'd': -2.25, '?': True}
                arrays = {}
                for fmt, value in samples.items():
                    a = tessera.zeros(4, fmt, name='rt_' + fmt)
                    arrays[fmt] = a
                    with a.slice(1, 3) as v:
                        mv = memoryview(v)
                        assert mv.format == fmt and mv.itemsize == a.itemsize and len(mv) == 2, (fmt, mv.format)
                        mv[1] = value
                """);
        for (DType t : DType.values()) {
            SharedArray a = py.store.get("rt_" + t.formatString()).orElseThrow();
            Number expected = switch (t) {
                case INT8 -> -5; case INT16 -> -300; case INT32 -> -70000; case INT64 -> -(1L << 40);
                case UINT8 -> 200; case UINT16 -> 60000; case UINT32 -> 4000000000L; case UINT64 -> Long.MIN_VALUE + 5;
                case FLOAT32 -> 1.5f; case FLOAT64 -> -2.25; case BOOL -> 1;
            };
            assertEquals(expected.doubleValue(), a.get(2).doubleValue(), t.typeName() + " written by Python, read by Java");
            assertEquals(0, a.get(1).doubleValue(), t.typeName());
            a.set(0, 7); // written by Java, read by Python
            assertEquals(t == DType.BOOL ? "True" : t.isFloating() ? "7.0" : "7",
                    py.eval("str(memoryview(arrays['" + t.formatString() + "'])[0])").asString(), t.typeName());
        }
    }

    @Test
    void arrayAttributesAndRepr() {
        py.eval("a = tessera.empty((3, 4), 'float32', name='m')");
        assertEquals("(3, 4)", py.eval("str(a.shape)").asString());
        assertEquals("f", py.eval("a.format").asString());
        assertEquals(4, py.eval("a.itemsize").asInt());
        assertEquals(48, py.eval("a.nbytes").asInt());
        assertEquals(3, py.eval("len(a)").asInt());
        assertEquals(12, py.eval("a.size").asInt());
        assertEquals("tessera.Array(name='m', shape=(3, 4), format='f')", py.eval("repr(a)").asString());
        assertTrue(py.eval("isinstance(a, tessera.Array)").asBoolean());
        // n-d: the memoryview is flat; cast gives the shape back
        assertEquals("[[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]", py.eval("str(a.tolist())").asString());
        py.eval("v = a.slice(1, 2)");
        assertEquals("(1, 4)", py.eval("str(v.shape)").asString());
        assertEquals(16, py.eval("len(memoryview(v).cast('B'))").asInt());
        assertEquals("tessera.View(writable, rows [1, 2), shape=(1, 4), format='f')", py.eval("repr(v)").asString());
    }

    @Test
    void overlappingWritableViewsAreRefusedWithBothRanges() {
        py.eval("a = tessera.zeros(100)\nv1 = a.slice(0, 50)");
        String err = py.pythonError("a.slice(40, 60)");
        assertTrue(err.startsWith("BufferError"), err);
        assertTrue(err.contains("[40, 60)") && err.contains("[0, 50)"), err);
        py.eval("v1.release()\nv2 = a.slice(40, 60)\nv3 = a.slice(-10, None)");
        assertEquals(2, py.store.leaseCount());
        py.eval("with a.slice(0, 10) as w:\n    memoryview(w)[0] = 1.0");
        assertEquals(2, py.store.leaseCount(), "the with-block ended its lease");
        assertTrue(py.pythonError("a.slice(5, 200)").startsWith("IndexError"));
        assertTrue(py.pythonError("a.slice('x', 2)").startsWith("TypeError"));
    }

    @Test
    void readOnlyViewsRefuseWritesIncludingThroughCast() {
        py.eval("a = tessera.zeros(8, 'q')\nr = a.readonly()\nmv = memoryview(r)");
        assertTrue(py.eval("mv.readonly").asBoolean());
        assertEquals("TypeError: cannot modify read-only memory", py.pythonError("mv[0] = 1").replace("'", "").replaceAll("\\)$", ""));
        assertTrue(py.pythonError("mv.cast('B')[0] = 1").startsWith("TypeError"));
        assertTrue(py.pythonError("mv.cast('B').cast('d')[1] = 1.0").startsWith("TypeError"));
        assertTrue(py.pythonError("memoryview(a)[0] = 1").startsWith("TypeError"), "memoryview(array) is read-only");
        assertTrue(py.pythonError("mv[0:2] = b'x' * 16").startsWith("TypeError"));
        // a writable request on the view itself is refused by the view's acquire
        String err = py.pythonError("import io\nio.BytesIO(b'abcdefgh').readinto(r)");
        assertTrue(err.startsWith("BufferError") || err.startsWith("TypeError"), err);
        assertEquals(0L, py.store.liveArrays().getFirst().getLong(0));
    }

    @Test
    void outOfBoundsIsAPythonIndexError() {
        py.eval("a = tessera.zeros(10)\nv = a.slice(2, 4)\nmv = memoryview(v)");
        assertTrue(py.pythonError("mv[2] = 1.0").startsWith("IndexError"));
        assertTrue(py.pythonError("mv[-3]").startsWith("IndexError"));
        assertTrue(py.pythonError("a.readonly(0, 11)").startsWith("IndexError"));
        py.eval("mv[-1] = 5.0");
        assertEquals(5.0, py.store.liveArrays().getFirst().getDouble(3), "mv[-1] is row 3 of the array");
    }

    @Test
    void bulkCopiesRoundTrip() {
        py.eval("""
                import struct
                a = tessera.zeros(1000, 'd')
                with a.slice(0, 1000) as v:
                    mv = memoryview(v)
                    mv[10:13] = memoryview(struct.pack('3d', 1.0, 2.0, 3.0)).cast('d')
                    raw = bytes(mv)
                    lst = mv.tolist()
                """);
        assertEquals(8000, py.eval("len(raw)").asInt());
        assertEquals("[0.0, 1.0, 2.0, 3.0, 0.0]", py.eval("str(lst[9:14])").asString());
        assertEquals(2.0, py.store.liveArrays().getFirst().getDouble(11));
    }

    @Test
    void useAfterCloseFromJavaAndPythonIsAPythonErrorAndTheContextLives() {
        py.eval("a = tessera.zeros(100, name='gone')\nv = a.slice(0, 100)\nmv = memoryview(v)\nro = memoryview(a)\nmv[0] = 1.0");
        py.store.get("gone").orElseThrow().close(); // closed from Java under Python's feet
        for (String access : new String[] {"mv[0] = 2.0", "mv[0]", "ro[0]", "bytes(ro)", "memoryview(a)", "a.slice(0, 1)"}) {
            String err = py.pythonError(access);
            assertTrue(err.startsWith("ValueError") && err.contains("'gone'"), access + " -> " + err);
        }
        py.eval("b = tessera.zeros(10)\nb.release()\nb.release()"); // closed from Python, idempotent
        assertTrue(py.pythonError("memoryview(b)").startsWith("ValueError"));
        assertTrue(py.eval("b.closed").asBoolean());
        assertEquals(3, py.eval("1 + 2").asInt(), "the context still works");
        assertEquals(0, py.store.bytesInUse());
    }

    @Test
    void releasedViewRefusesAccessButTheArrayLives() {
        py.eval("a = tessera.zeros(10)\nv = a.slice(0, 10)\nmv = memoryview(v)\nv.release()");
        String err = py.pythonError("mv[0] = 1.0");
        assertTrue(err.startsWith("ValueError") && err.contains("released"), err);
        py.eval("memoryview(a.slice(0, 10))[0] = 3.0"); // the range is free again
        assertEquals(3.0, py.eval("memoryview(a)[0]").asDouble());
    }

    @Test
    void byteLimitIsAPythonMemoryError() {
        try (PythonFixture limited = new PythonFixture(1000)) {
            limited.eval("a = tessera.zeros(100, 'd')");
            String err = limited.pythonError("tessera.zeros(100, 'd')");
            assertTrue(err.startsWith("MemoryError") && err.contains("in use: 800"), err);
        }
    }

    @Test
    void badShapesAndFormatsNameTheBadValue() {
        assertTrue(py.pythonError("tessera.zeros(-1)").matches("ValueError.*-1.*"));
        assertTrue(py.pythonError("tessera.zeros((2, -3))").matches("ValueError.*-3.*"));
        assertTrue(py.pythonError("tessera.zeros(())").startsWith("ValueError"));
        assertTrue(py.pythonError("tessera.zeros('abc')").startsWith("TypeError"));
        assertTrue(py.pythonError("tessera.zeros((2, 2.5))").matches("TypeError.*2\\.5.*"));
        assertTrue(py.pythonError("tessera.zeros(3, 'x')").matches("ValueError.*'x'.*"));
        assertTrue(py.pythonError("tessera.zeros(3, 7)").startsWith("TypeError"));
        assertTrue(py.pythonError("tessera.zeros(3, '>d')").startsWith("ValueError"));
        String huge = py.pythonError("tessera.zeros(2**44, 'd')"); // 128 TiB: the system refuses
        assertTrue(huge.startsWith("MemoryError"), huge);
    }

    @Test
    void viewsOverTwoGiBAreRefusedWithAClearMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.bin");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength((1L << 31) + 8); // sparse: no memory or disk is used
        }
        SharedArray big = py.store.map(file, false, DType.INT8, (1L << 31) + 8);
        var e = assertThrows(IllegalArgumentException.class, () -> ViewBuffer.of(big.readOnly()));
        assertTrue(e.getMessage().contains("2 GiB - 1"), e.getMessage());
        py.context.getBindings("python").putMember("big", new ArrayObject(big));
        String err = py.pythonError("memoryview(big)");
        assertTrue(err.startsWith("ValueError") && err.contains("2 GiB - 1"), err);
        py.eval("small = memoryview(big.readonly(0, 2**31 - 1))"); // the largest that fits
        assertEquals(Integer.MAX_VALUE, py.eval("len(small)").asInt());
        big.close();
    }
}
