package dev.tessera.buffer;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void optimizingRuntimeIsOn() {
        assertNotEquals("Interpreted", PythonFixture.runtime().implementationName());
    }

    @Test
    void fillThroughWritableView() {
        try (PythonFixture py = new PythonFixture()) {
            py.eval("""
                    a = tessera.empty(100, 'd', name='x')
                    v = a.slice(0, 100)
                    mv = memoryview(v)
                    for i in range(100):
                        mv[i] = i * 0.5
                    """);
            var arr = py.store.get("x").orElseThrow();
            assertEquals(49.5, arr.getDouble(99));
            assertEquals("d", py.eval("mv.format").asString());
            assertEquals(99 * 100 / 2 * 0.5, py.eval("sum(memoryview(a))").asDouble());
            System.out.println(py.eval("repr(a) + ' ' + repr(v) + ' ' + str(type(v).mro())").asString());
        }
    }
}
