package dev.tessera.buffer;

import static org.junit.jupiter.api.Assertions.*;

import dev.tessera.buffer.graalpy.ArrayObject;
import dev.tessera.buffer.graalpy.ViewBuffer;
import dev.tessera.shm.ArrayStore;
import dev.tessera.shm.DType;
import dev.tessera.shm.SharedArray;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The host closes an array while another thread's Python loop is writing into it: an exception, never a crash. */
class CloseRaceTest {

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES) // ten rounds; the first compiles the loop, slow on loaded cores
    void closeRacingACompiledPythonWriterRaisesInTheWriter() throws Exception {
        PythonRuntime runtime = PythonFixture.runtime();
        try (ArrayStore store = new ArrayStore()) {
            for (int round = 0; round < 10; round++) {
                SharedArray array = store.allocate(DType.FLOAT64, 1 << 16);
                CountDownLatch writing = new CountDownLatch(1);
                CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> {
                    try (Context ctx = runtime.contextBuilder().build()) {
                        ctx.getBindings("python").putMember("view", ViewBuffer.of(array.slice(0, array.length())));
                        ctx.getBindings("python").putMember("started", (ProxyExecutable) args -> {
                            writing.countDown();
                            return null;
                        });
                        try {
                            ctx.eval("python", """
                                    mv = memoryview(view)
                                    n = len(mv)
                                    p = 0
                                    while True:
                                        for i in range(n):
                                            mv[i] = p + i * 0.5
                                        p += 1
                                        if p == 3:
                                            started()
                                    """);
                            return "loop ended without an error";
                        } catch (PolyglotException e) {
                            String kind = e.isGuestException() ? e.getGuestObject().getMetaObject().getMetaSimpleName() : "host:" + e;
                            String after = ctx.eval("python", "str(6 * 7)").asString(); // the context is still usable
                            return kind + ": " + e.getMessage() + " / context alive: " + after;
                        }
                    }
                });
                assertTrue(writing.await(4, TimeUnit.MINUTES), "the writer started"); // 60 s was too short on loaded cores
                Thread.sleep(round * 3L);
                array.close();
                String result = outcome.get(4, TimeUnit.MINUTES);
                assertTrue(result.startsWith("ValueError") && result.contains("context alive: 42"), result);
            }
        }
    }
}
