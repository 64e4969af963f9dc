package dev.tessera.workers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The Agrona-backed queue under many Java threads: nothing lost or duplicated, FIFO per producer. */
class QueueTest {

    @Test
    void randomisedManyProducersManyConsumers() throws Exception {
        Random rnd = new Random();
        for (int round = 0; round < 5; round++) {
            int producers = 1 + rnd.nextInt(4);
            int consumers = 1 + rnd.nextInt(4);
            int perProducer = 1000 + rnd.nextInt(20_000);
            Queue q = new Queue(rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(64));
            ConcurrentLinkedQueue<List<Long>> seenByConsumer = new ConcurrentLinkedQueue<>();
            CountDownLatch done = new CountDownLatch(consumers);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    List<Long> seen = new ArrayList<>();
                    for (Queue.Got g = q.take(); g.found(); g = q.take()) {
                        seen.add((Long) g.value());
                    }
                    seenByConsumer.add(seen);
                    done.countDown();
                }));
            }
            List<Thread> prods = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                long base = (long) p << 32;
                prods.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        assertEquals(Queue.PutResult.OK, q.put(base + i, -1, () -> { }));
                    }
                }));
            }
            for (Thread t : prods) {
                t.join();
            }
            q.close();
            done.await();
            long[] count = new long[producers];
            for (List<Long> seen : seenByConsumer) {
                long[] last = new long[producers];
                java.util.Arrays.fill(last, -1);
                for (long v : seen) {
                    int p = (int) (v >>> 32);
                    long i = v & 0xffffffffL;
                    assertTrue(i > last[p], "FIFO per producer");
                    last[p] = i;
                    count[p]++;
                }
            }
            for (int p = 0; p < producers; p++) {
                assertEquals(perProducer, count[p], "every item of producer " + p + " exactly once");
            }
        }
    }

    @Test
    void boundsTimeoutsAndClose() {
        Queue q = new Queue(2);
        assertEquals(Queue.PutResult.OK, q.offer(null));
        assertEquals(Queue.PutResult.OK, q.offer("x"));
        assertEquals(Queue.PutResult.FULL, q.offer("y"));
        assertTrue(q.isFull());
        long t0 = System.nanoTime();
        assertEquals(Queue.PutResult.FULL, q.put("y", 20_000_000, () -> { }));
        assertTrue(System.nanoTime() - t0 >= 20_000_000);
        Queue.Got first = q.poll();
        assertTrue(first.found());
        assertNull(first.value(), "None travels through the queue");
        q.close();
        assertEquals(Queue.PutResult.CLOSED, q.offer("z"));
        assertEquals("x", q.poll().value());
        assertTrue(q.poll().closed());
        assertThrows(IllegalArgumentException.class, () -> new Queue(-1));
    }
}
