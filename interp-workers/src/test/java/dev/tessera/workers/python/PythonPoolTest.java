package dev.tessera.workers.python;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.shm.ArrayStore;
import dev.tessera.workers.PoolFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Python API of pools and queues, from a main interpreter as `tessera run` sets it up. */
class PythonPoolTest {
    static ArrayStore store;
    static MainInterpreter main;

    @BeforeAll
    static void open() {
        store = new ArrayStore();
        main = new MainInterpreter(PoolFixture.runtime(), store, List.of("test"));
        main.context().getBindings("python").putMember("MODS", PoolFixture.modules().toString());
        eval(program("setup"));
    }

    @AfterAll
    static void close() {
        main.eval("pool.shutdown()");
        assertEquals(0, store.leaseCount());
        main.close();
        store.close();
    }

    /** A program of this test, {@code src/test/resources/programs/pool_api/NAME.py}. */
    static String program(String name) {
        try (InputStream in = PythonPoolTest.class.getResourceAsStream("/programs/pool_api/" + name + ".py")) {
            if (in == null) {
                throw new IllegalStateException("no program " + name + ".py");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Value eval(String code) {
        return main.eval(code);
    }

    /** "TypeName: message" of the Python exception that code raises. */
    static String pythonError(String code) {
        try {
            eval(code);
        } catch (PolyglotException e) {
            assertTrue(e.isGuestException(), () -> "a host exception leaked: " + e);
            Value exc = e.getGuestObject();
            return exc.getMetaObject().getMetaSimpleName() + ": " + eval("lambda e: str(e)").execute(exc).asString();
        }
        throw new AssertionError("no exception from: " + code);
    }

    @Test
    void submitResultMapAndFutureApi() {
        assertEquals(5, eval("pool.submit(tasks.add, 2, 3).result(60)").asInt());
        assertEquals("[3, 5, 7]", eval("str(list(pool.map(tasks.add, [1, 2, 3], [2, 3, 4], timeout=60)))").asString());
        assertEquals("((1, b'x', None, (2.5, True)), (('k', 'v'),))",
                eval("str(pool.submit(tasks.echo, 1, b'x', None, (2.5, True), k='v').result(60))").asString());
        assertEquals(2 * 10 * 10, eval("pool.submit(tessera.source('def f(x):\\n    return 2 * x * x\\n', 'f'), 10).result(60)").asInt());
        assertTrue(eval("isinstance(pool.submit(tasks.add, 1, 1), concurrent.futures.Future)").asBoolean());
        eval("cb = []\nf = pool.submit(tasks.add, 1, 1)\nf.add_done_callback(lambda f: cb.append(f.result()))\nf.result(60)");
        assertEquals("[2]", eval("str(cb)").asString());
        assertEquals("[1, 2, 3]", eval(program("wait_and_as_completed")).asString());
    }

    @Test
    void statsCountTasksAndTheProcessCpuTime() {
        eval(program("stats_around_a_spin"));
        assertEquals("['broken', 'cancelled', 'completed', 'failed', 'heap_used_bytes', 'per_worker', 'process_cpu_seconds', "
                + "'queued', 'replaced_workers', 'rss_bytes', 'running', 'shutdown', 'spares', 'submitted', 'workers']",
                eval("str(sorted(after))").asString());
        assertTrue(eval("after['completed'] - before['completed'] >= 1").asBoolean());
        assertEquals(2, eval("len(after['per_worker'])").asInt());
        assertTrue(eval("after['rss_bytes'] > 0 and after['heap_used_bytes'] > 0").asBoolean());
        // the worker's spin used a core for a while: the process's CPU time grew by at least some of it
        assertTrue(eval("after['process_cpu_seconds'] > before['process_cpu_seconds'] > 0").asBoolean(),
                () -> eval("str((before['process_cpu_seconds'], after['process_cpu_seconds']))").asString());
    }

    @Test
    void workerExceptionsBecomeExecutionFailedWithTheTraceback() {
        eval(program("catch_execution_failed"));
        assertEquals("ZeroDivisionError", eval("err.excinfo.type").asString());
        assertEquals("division by zero", eval("err.excinfo.msg").asString());
        assertTrue(eval("'in boom' in err.excinfo.formatted and 'tasks.py' in str(err)").asBoolean());
        assertEquals(1, eval("pool.submit(tasks.add, 0, 1).result(60)").asInt(), "the worker still serves");
        assertTrue(eval("isinstance(pool.submit(tasks.boom, 0).exception(60), tessera.ExecutionFailed)").asBoolean());
    }

    @Test
    void functionsWorkersCannotImportAreRefusedWithTheReason() {
        // a stateless lambda crosses by its code and a bound method of an importable class by pickle, as in CPython 3.14
        assertEquals(7, eval("pool.submit(lambda x: x + 1, 6).result(60)").asInt());
        assertEquals(3, eval("import fractions\npool.submit(fractions.Fraction(3, 1).__int__).result(60)").asInt());
        String closure = pythonError("def outer():\n    y = 1\n    def inner():\n        return y\n    return inner\npool.submit(outer())");
        assertTrue(closure.startsWith("TypeError") && closure.contains("module level"), closure);
        // a bound method of a class defined interactively pickles, but no worker can find the class
        String method = pythonError("class C:\n    def m(self):\n        pass\npool.submit(C().m).result(60)");
        assertTrue(method.startsWith("NotShareableError") && method.contains("unpickled"), method);
        String str = pythonError("pool.submit('tasks.add', 1, 2)");
        assertTrue(str.contains("tessera.source"), str);
    }

    @Test
    void unshareableArgumentsAreCopiedOrPickledOrRefusedNamingTheType() {
        // lists and dicts cross as copies, other objects as pickles (as in CPython 3.14); what pickle cannot take is refused
        assertEquals("(([1, 2], (1, {'a': [1.5]})), (('k', {2, 3}),))",
                eval("str(pool.submit(tasks.echo, [1, 2], (1, {'a': [1.5]}), k={2, 3}).result(60))").asString());
        assertEquals("Fraction(1, 3)", eval("import fractions\nrepr(pool.submit(tasks.echo, fractions.Fraction(1, 3)).result(60)[0][0])").asString());
        String kw = pythonError("pool.submit(tasks.echo, x=(i for i in ()))");
        assertTrue(kw.startsWith("NotShareableError") && kw.contains("'x'") && kw.contains("generator"), kw);
        // a read-only memoryview crosses as a copy (as in 3.14); a writable one's memory belongs to one interpreter
        assertEquals("b'ab'", eval("repr(pool.submit(tasks.echo, memoryview(b'ab')).result(60)[0][0].tobytes())").asString());
        String mv = pythonError("pool.submit(tasks.echo, memoryview(bytearray(b'ab')))");
        assertTrue(mv.contains("memoryview") && mv.contains("tessera array"), mv);
        assertTrue(eval("issubclass(tessera.NotShareableError, ValueError)").asBoolean());
    }

    @Test
    void arraysFilledInParallelByViewsWithLeasesEndingWithTheTasks() {
        assertEquals(0.5 * 99_999 * 100_000 / 2, eval(program("fill_four_slices")).asDouble());
        assertEquals(0, eval("tessera._host.store_stats()[2]").asInt());
        eval("a.release()");
    }

    @Test
    void deadlinesCancelsAndTimeouts() {
        eval(program("slow_pool"));
        assertTrue(eval("queued.cancel()").asBoolean());
        assertTrue(eval("queued.cancelled()").asBoolean());
        assertEquals("DeadlineExceeded", pythonError("hung.result(60)").split(":")[0]);
        assertTrue(eval("issubclass(tessera.DeadlineExceeded, TimeoutError)").asBoolean());
        assertEquals(7, eval("slow.submit(tasks.add, 3, 4).result(60)").asInt(), "a replaced worker serves again");
        String timeout = pythonError("slow.submit(tasks.sleep, 1.5).result(timeout=0.1)");
        assertTrue(timeout.startsWith("TimeoutError"), timeout);
        eval(program("cancel_a_running_task"));
        assertTrue(pythonError("slow.submit(tasks.add, 1, 1)").startsWith("RuntimeError"));
    }

    @Test
    void queueManyProducersAndConsumersLoseNothingAndKeepEachProducersOrder() {
        Random rnd = new Random();
        // Enough workers that consumers and producers all run at once (a consumer blocks its worker).
        eval("qpool = tessera.InterpreterPool(4, sys_path=[MODS])");
        for (int round = 0; round < 3; round++) {
            int producers = 1 + rnd.nextInt(3);
            int count = 200 + rnd.nextInt(2000);
            eval("q = tessera.create_queue(" + (rnd.nextBoolean() ? 0 : 16) + ")\nP, N = " + producers + ", " + count);
            // producers: workers and the main interpreter; consumers: workers
            Value got = eval(program("queue_round"));
            assertTrue(got.getArrayElement(1).asBoolean());
            int[] next = new int[producers];
            int seen = 0;
            for (int c = 0; c < 2; c++) {
                int[] lastPerProducer = new int[producers];
                java.util.Arrays.fill(lastPerProducer, -1);
                Value items = got.getArrayElement(0).getArrayElement(c);
                for (int i = 0; i < items.getArraySize(); i++) {
                    int p = items.getArrayElement(i).getArrayElement(0).asInt();
                    int n = items.getArrayElement(i).getArrayElement(1).asInt();
                    assertTrue(n > lastPerProducer[p], "FIFO per producer within a consumer");
                    lastPerProducer[p] = n;
                    next[p]++;
                    seen++;
                }
            }
            assertEquals(producers * count, seen, "nothing lost");
            for (int p = 0; p < producers; p++) {
                assertEquals(count, next[p], "nothing lost or duplicated for producer " + p);
            }
            eval(program("queue_round_lost_nothing"));
        }
        eval("qpool.shutdown()");
    }

    @Test
    void queueEdgeCases() {
        eval("q = tessera.create_queue(2)\nq.put(1)\nq.put_nowait((None, b'z', 2**70))");
        assertTrue(eval("q.full()").asBoolean());
        assertEquals("QueueFull", pythonError("q.put_nowait(3)").split(":")[0]);
        assertTrue(eval("isinstance(tessera.QueueFull(), queue.Full) and isinstance(tessera.QueueEmpty(), queue.Empty)").asBoolean());
        assertEquals("(1, (None, b'z', 1180591620717411303424))", eval("str((q.get(), q.get_nowait()))").asString());
        assertEquals("QueueEmpty", pythonError("q.get(timeout=0.05)").split(":")[0]);
        assertTrue(pythonError("q.put((i for i in ()))").startsWith("NotShareableError"));
        eval("q.put(5)\nq.close()");
        assertTrue(pythonError("q.put(6)").startsWith("QueueClosed"));
        assertEquals(5, eval("q.get()").asInt(), "what was queued before close is still delivered");
        assertTrue(pythonError("q.get()").startsWith("QueueClosed"));
        assertTrue(pythonError("tessera.create_queue(-1)").startsWith("ValueError"));
        assertTrue(pythonError("tessera.create_queue('x')").startsWith("TypeError"));
    }

    @Test
    void threadsOfTheMainInterpreterUseThePoolAndFuturesCompleteOnTheirOwn() {
        assertEquals("[200, 4, 10, True, 4950]", eval(program("threads_share_the_pool")).asString());
    }

    @Test
    void batchedQueueCalls() {
        assertEquals("[(0, 1, 2), (3, 4), 'x', ()]", eval(program("batched_queue_calls")).asString());
        assertTrue(pythonError("tessera.create_queue().get_many(0)").startsWith("ValueError"));
        assertTrue(pythonError("tessera.create_queue().put_many([(i for i in ())])").startsWith("NotShareableError"));
        assertEquals("QueueFull", pythonError("tessera.create_queue(2).put_many(range(3), timeout=0.01)").split(":")[0]);
    }

    @Test
    void functionsOfTheMainScriptRunInWorkers(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("job.py");
        Files.writeString(script, program("square_in_workers"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MainInterpreter m = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of()),
                System.in, out, out)) {
            assertEquals(0, m.runScript(script), out::toString);
        }
        assertTrue(out.toString().contains("squares [0, 1, 4, 9, 16]"), out.toString());
    }

    @Test
    void aMainInterpreterWarmedUpAheadRunsItsScriptAsAFreshOneWould(@TempDir Path dir) throws Exception {
        // the service's spare: warmed before its script is known (its first evaluation, the run function, the pool part)
        Path script = dir.resolve("job.py");
        Files.writeString(script, program("square_in_workers") + "\n" + """
                    print("leftovers", sorted(n for n in globals() if n.startswith("_") and not n.startswith("__")))
                """);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MainInterpreter m = new MainInterpreter(PoolFixture.runtime(), store, List.of(""), System.in, out, out)) {
            m.warmUp();
            m.prepare(MainInterpreter.argv(script, List.of()), dir);
            assertEquals(0, m.runScript(script), out::toString);
        }
        assertTrue(out.toString().contains("squares [0, 1, 4, 9, 16]"), out.toString());
        assertTrue(out.toString().contains("leftovers []"), "the warm-up left names in the script's globals: " + out);
    }

    @Test
    void systemExitKeyboardInterruptMemoryErrorAndRecursionInATaskFailOnlyThatTaskAndAMemoryErrorGetsAFreshWorker(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("faults.py");
        Files.writeString(script, program("faults_in_tasks"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MainInterpreter m = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of()),
                System.in, out, out)) {
            assertEquals(0, m.runScript(script), out::toString); // the script's own exit status, not the task's
        }
        String text = out.toString();
        for (String line : List.of("exit_task failed with SystemExit", "interrupt failed with KeyboardInterrupt",
                "out_of_memory failed with MemoryError", "recurse failed with RecursionError", "failed 4 replaced 1")) {
            assertTrue(text.contains(line), line + " missing in:\n" + text);
        }
        for (String fn : List.of("exit_task", "interrupt", "out_of_memory", "recurse")) {
            assertTrue(text.contains(fn + " then 2"), fn + ": the pool did not serve on:\n" + text);
        }
    }

    @Test
    void aMainScriptWithoutAGuardFailsItsTasksWithTheHintInsteadOfRecursing(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("unguarded.py");
        Files.writeString(script, program("unguarded_main"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MainInterpreter m = new MainInterpreter(PoolFixture.runtime(), store, MainInterpreter.argv(script, List.of()),
                System.in, out, out)) {
            assertEquals(0, m.runScript(script), out::toString);
        }
        assertTrue(out.toString().contains("failed: RuntimeError"), out.toString());
        assertTrue(out.toString().contains("if __name__ == \"__main__\":"), out.toString());
    }
}
