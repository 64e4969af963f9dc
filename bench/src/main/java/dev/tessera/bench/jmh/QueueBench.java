package dev.tessera.bench.jmh;

import dev.tessera.workers.Queue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The queue from Java: an offer and a poll on one thread, and a producer and a consumer on two. */
public class QueueBench {
    private static final Long ITEM = 42L;

    @State(Scope.Benchmark)
    public static class OneThread {
        final Queue queue = new Queue();
    }

    @State(Scope.Group)
    public static class TwoThreads {
        final Queue queue = new Queue(1024);
    }

    @Benchmark
    public Object offerThenPoll(OneThread s) throws InterruptedException {
        s.queue.offer(ITEM);
        return s.queue.poll(0, TimeUnit.NANOSECONDS);
    }

    @Benchmark
    @Group("producerConsumer")
    public boolean producer(TwoThreads s) {
        return s.queue.offer(ITEM); // false when full: the consumer is behind
    }

    @Benchmark
    @Group("producerConsumer")
    public Object consumer(TwoThreads s) throws InterruptedException {
        return s.queue.poll(0, TimeUnit.NANOSECONDS);
    }
}
