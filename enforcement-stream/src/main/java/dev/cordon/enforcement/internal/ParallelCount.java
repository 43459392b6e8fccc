package dev.cordon.enforcement.internal;

import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.Scope;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ParallelCount.class);
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
        Scope scope = change.getScope();
        WORKERS.execute(() -> {
            boolean timed = LOG.isDebugEnabled();
            long startNs = System.nanoTime();
            long cpuStartNs = timed ? cpuTimeNs() : -1;
            try (KeyValueIterator<String, byte[]> it = enforcer.sessionsFrom(null)) {
                ImpactTally tally = count(it, scope, sampleSize, job.cancelled);
                if (tally == null) {
                    job.result.cancel(false);
                } else {
                    if (timed) {
                        long cpuEndNs = cpuTimeNs();
                        LOG.debug("counted {} of {} revision {} on partition {}: {} covered in {} ms ({} ms of CPU)",
                                change.getMode(), change.getDirectiveId(), change.getRevision(), enforcer.partition,
                                tally.covered, (System.nanoTime() - startNs) / 1_000_000,
                                cpuStartNs < 0 || cpuEndNs < 0 ? "n/a" : String.valueOf((cpuEndNs - cpuStartNs) / 1_000_000));
                    }
                    job.result.complete(tally);
                }
            } catch (RuntimeException | Error e) { // never a count that silently never ends
                job.result.completeExceptionally(e);
            }
        });
        return job;
    }

    /** @return this thread's CPU time, ns, or -1 when the JVM does not measure it */
    private static long cpuTimeNs() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    }

    /**
     * Counts the ACTIVE sessions of {@code sessions} that {@code scope} covers ({@link ApplyDirectivesProcessor#countCovered}).
     *
     * @param sessions  stored sessions: id and {@code SessionState} bytes
     * @param cancelled checked before each session
     * @return the counts, or {@code null} when cancelled
     * @throws org.apache.kafka.common.errors.SerializationException when a stored session is unreadable
     */
    static ImpactTally count(Iterator<KeyValue<String, byte[]>> sessions, Scope scope, int sampleSize, AtomicBoolean cancelled) {
        SessionState.LiveReader reader = ApplyDirectivesProcessor.liveReader(scope);
        ImpactTally tally = new ImpactTally();
        while (sessions.hasNext()) {
            if (cancelled.get()) {
                return null;
            }
            KeyValue<String, byte[]> session = sessions.next();
            ApplyDirectivesProcessor.countCovered(tally, scope, reader, session.key, session.value, sampleSize);
        }
        return tally;
    }

    /**
     * Has the JIT compile the counting path before the first preview needs it, once per JVM: counts
     * {@link CountWarmUp#SESSIONS} synthetic sessions under {@link CountWarmUp#scopes()} {@code rounds} times on a thread
     * of its own (daemon; never a worker, so a preview arriving meanwhile is not queued behind it; its lowest Java
     * priority is a hint Linux ignores by default, so it shares the cores with start-up for its ~1 s).
     * Without it, the first preview after a start counted its 1,000,000 sessions in interpreted and C1-compiled code,
     * deoptimised once the real profile differed, while C2 compiled on the same cores: 2.1–3.0 s of worker CPU where a
     * settled JVM needs 1.1 s (BENCHMARKS.md, issue 6 §5). It is best-effort: a preview during its ~1 s runs as before.
     * Later calls return the first call's result.
     *
     * @param rounds passes over the synthetic sessions per scope (&gt; 0)
     * @return completes with the number of sessions counted as covered, over all rounds, when the warm-up has run
     */
    static synchronized CompletableFuture<Long> warmUp(int rounds) {
        if (warmUp == null) {
            long startNs = System.nanoTime();
            // its own thread, not a worker: a preview arriving while it runs must not queue behind it
            warmUp = CompletableFuture.supplyAsync(() -> CountWarmUp.run(rounds), task -> {
                Thread t = new Thread(task, "cordon-sweep-count-warm-up");
                t.setDaemon(true);
                t.setPriority(Thread.MIN_PRIORITY);
                t.start();
            });
            warmUp.whenComplete((covered, failure) -> {
                if (failure != null) { // previews still work, only the first is slower: say so, do not fail the app
                    LOG.warn("warm-up of the preview counting code failed; the first preview will run it cold", failure);
                } else {
                    LOG.debug("warm-up of the preview counting code done in {} ms ({} synthetic sessions covered)",
                            (System.nanoTime() - startNs) / 1_000_000, covered);
                }
            });
        }
        return warmUp;
    }

    private static CompletableFuture<Long> warmUp;
}
