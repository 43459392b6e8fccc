package dev.cordon.enforcement.internal;

import dev.cordon.avro.DirectiveChange;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * Counting-only ({@code DRY_RUN}) sweeps of large tasks, run on worker threads instead of the stream thread.
 * <p>
 * A preview writes nothing per session, so nothing ties its counting to the stream thread's transaction: only the
 * PARTIAL report it ends with does, and the stream thread still emits that. One stream thread visiting 1,000,000 stored
 * sessions spends 1.2–1.4 µs per session in RocksDB's JNI iterator alone (BENCHMARKS.md), so a preview used one core
 * however many the machine has; here the tasks' counts run on one worker per core, concurrently. A worker reads the
 * task's store as Interactive Queries do — RocksDB allows concurrent readers beside the stream thread's writes — and a
 * count is a point-in-time estimate either way: sessions that change while it runs may or may not be counted, as in
 * a sweep interleaved with session events.
 * <p>
 * A count whose task closes (rebalance, failure) is cancelled and dropped; the sweep, still stored with no cursor, is
 * counted again when the task is next initialised. A worker's failure (an unreadable stored session) is rethrown on the
 * stream thread when it collects the result, so it fails the task as an inline sweep would.
 */
final class ParallelCount {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService WORKERS = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), r -> {
                Thread t = new Thread(r, "cordon-sweep-count-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private ParallelCount() {
    }

    /** One count in progress. */
    static final class Job {
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final CompletableFuture<ImpactTally> result = new CompletableFuture<>();

        /** @return whether the count has finished (or failed) */
        boolean isDone() {
            return result.isDone();
        }

        /**
         * @return the counts, once {@link #isDone()}
         * @throws RuntimeException the worker's failure
         */
        ImpactTally tally() {
            try {
                return result.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e;
            }
        }

        /** Stops the count at its next session; its result is never used. */
        void cancel() {
            cancelled.set(true);
        }
    }

    /**
     * Starts counting the ACTIVE sessions of {@code enforcer}'s task that {@code change}'s scope covers.
     *
     * @param sampleSize at most this many sample session ids (DESIGN.md: ≤ 100)
     * @return the running count
     */
    static Job start(Enforcer enforcer, DirectiveChange change, int sampleSize) {
        Job job = new Job();
        Predicate<String> resourceCovered = ScopeMatcher.resourcePredicate(change.getScope());
        java.util.Set<String> attributesRead = ScopeMatcher.attributesRead(change.getScope());
        WORKERS.execute(() -> {
            ImpactTally tally = new ImpactTally();
            try (KeyValueIterator<String, byte[]> it = enforcer.sessionsFrom(null)) {
                while (it.hasNext()) {
                    if (job.cancelled.get()) {
                        job.result.cancel(false);
                        return;
                    }
                    KeyValue<String, byte[]> session = it.next();
                    ApplyDirectivesProcessor.countCovered(tally, change, resourceCovered, attributesRead, session.key, session.value,
                            sampleSize);
                }
                job.result.complete(tally);
            } catch (RuntimeException | Error e) { // never a count that silently never ends
                job.result.completeExceptionally(e);
            }
        });
        return job;
    }
}
