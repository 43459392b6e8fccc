package dev.cordon.enforcement.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Live (ACTIVE) sessions per session task of one Kafka Streams instance, kept in step with every write of the sessions
 * store, for the {@code cordon_enforcement_sessions_active} gauge. A task's count is taken by one scan of its restored
 * store when the task's session processor initialises ({@link #reset}), then moved by ±1 as sessions change status.
 * <p>
 * It replaces a gauge thread that decoded every stored session every 15 s: at 1,000,000 sessions that scan took a
 * second of a core and stalled previews and sweeps on a 2-core machine. Thread-safe: stream threads write, the metrics
 * scrape reads.
 */
public final class LiveSessions {
    private final Map<TaskId, AtomicLong> byTask = new ConcurrentHashMap<>();

    /** Sets the count of {@code task} (taken from a scan of its store), replacing any earlier one. */
    void reset(TaskId task, long active) {
        byTask.put(task, new AtomicLong(active));
    }

    /** Moves the count of {@code task} by {@code delta} sessions (a task not yet counted starts at 0). */
    void add(TaskId task, long delta) {
        if (delta != 0) {
            byTask.computeIfAbsent(task, t -> new AtomicLong()).addAndGet(delta);
        }
    }

    /** Forgets {@code task} (closed, or moved to another instance). */
    void forget(TaskId task) {
        byTask.remove(task);
    }

    /** @return live sessions over every task counted (one instance, as in a TopologyTestDriver) */
    public long total() {
        return byTask.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /**
     * @param tasks the session tasks this instance runs now (a task that moved away is ignored even if its close was
     *              never seen)
     * @return live sessions over {@code tasks}
     */
    public long total(Collection<TaskId> tasks) {
        long sum = 0;
        for (TaskId task : tasks) {
            AtomicLong n = byTask.get(task);
            if (n != null) {
                sum += n.get();
            }
        }
        return sum;
    }
}
