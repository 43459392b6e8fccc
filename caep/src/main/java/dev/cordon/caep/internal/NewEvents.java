package dev.cordon.caep.internal;

/** A wake-up signal: new SETs were stored. Waiters wake on {@link #signal()} or after their timeout. */
public final class NewEvents {
    private long version;

    /** Wakes every waiter. */
    public synchronized void signal() {
        version++;
        notifyAll();
    }

    /** @return the current version, to pass to {@link #awaitChange} */
    public synchronized long version() {
        return version;
    }

    /** Waits until the version differs from {@code seen} or {@code timeoutMs} passed. */
    public synchronized void awaitChange(long seen, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (version == seen) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }
}
