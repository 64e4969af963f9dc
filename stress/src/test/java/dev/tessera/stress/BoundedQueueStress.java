package dev.tessera.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.tessera.workers.Queue;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A queue of two places: one thread offers 1, 2, 3; another offers 11, takes one, offers 12, takes one. Every
 * item the queue accepted comes out exactly once, nothing else comes out, and each producer's items keep its
 * order (per-producer FIFO). r1: 1 when all of that holds; r2: how many items were accepted (timing decides).
 */
@JCStressTest
@Outcome(id = {"1, 2", "1, 3", "1, 4", "1, 5"}, expect = ACCEPTABLE, desc = "every accepted item once, in its producer's order")
@Outcome(expect = FORBIDDEN, desc = "an item lost, duplicated, invented or out of its producer's order")
@State
public class BoundedQueueStress {
    private static final long[] A = {1, 2, 3};
    private static final long[] B = {11, 12};

    private final Queue queue = new Queue(2);
    private final boolean[] acceptedA = new boolean[A.length]; // written by producer() only
    private final boolean[] acceptedB = new boolean[B.length]; // written by producerConsumer() only
    private final List<Object> taken = new ArrayList<>(); // written by producerConsumer() only

    @Actor
    public void producer() {
        for (int i = 0; i < A.length; i++) {
            acceptedA[i] = queue.offer(A[i]);
        }
    }

    @Actor
    public void producerConsumer() {
        for (int i = 0; i < B.length; i++) {
            acceptedB[i] = queue.offer(B[i]);
            poll(taken);
        }
    }

    @Arbiter
    public void check(II_Result r) {
        List<Object> all = new ArrayList<>(taken);
        while (poll(all)) {
            // drain what is left
        }
        List<Object> expectA = accepted(A, acceptedA);
        List<Object> expectB = accepted(B, acceptedB);
        List<Object> fromA = all.stream().filter(x -> contains(A, x)).toList();
        List<Object> fromB = all.stream().filter(x -> contains(B, x)).toList();
        boolean ok = fromA.equals(expectA) && fromB.equals(expectB) && all.size() == expectA.size() + expectB.size();
        r.r1 = ok ? 1 : 0;
        r.r2 = expectA.size() + expectB.size();
    }

    private static List<Object> accepted(long[] items, boolean[] accepted) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            if (accepted[i]) {
                out.add(items[i]);
            }
        }
        return out;
    }

    private static boolean contains(long[] items, Object x) {
        for (long item : items) {
            if (x.equals(item)) {
                return true;
            }
        }
        return false;
    }

    private boolean poll(List<Object> into) {
        try {
            Queue.Got got = queue.poll(0, TimeUnit.NANOSECONDS);
            if (got.found()) {
                into.add(got.value());
            }
            return got.found();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
