package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Python API of pools and queues, from a main interpreter as `tessera run` sets it up. */
class PythonPoolTest {
    ArrayStore store;
    MainInterpreter main;

    @BeforeEach
    void open() {
        store = new ArrayStore();
        main = new MainInterpreter(PoolFixture.runtime(), store, List.of("test"));
        main.eval("import sys, tessera\nMODS = " + pyStr(PoolFixture.modules().toString()) + "\nsys.path.insert(0, MODS)\nimport tasks");
    }

    @AfterEach
    void close() {
        main.close();
        store.close();
    }

    static String pyStr(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    Value eval(String code) {
        return main.eval(code);
    }

    @Test
    void submitResultAndMap() {
        eval("pool = tessera.InterpreterPool(2, sys_path=[MODS])");
        assertEquals(5, eval("pool.submit(tasks.add, 2, 3).result(60)").asInt());
        assertEquals("[3, 5, 7]", eval("str(list(pool.map(tasks.add, [1, 2, 3], [2, 3, 4], timeout=60)))").asString());
        eval("pool.shutdown()");
        assertEquals(0, store.leaseCount());
    }
}
