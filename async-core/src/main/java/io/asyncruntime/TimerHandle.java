package io.asyncruntime;

/**
 * A callback scheduled at a point in loop time by {@link EventLoop#callLater} or {@link EventLoop#callAt}.
 *
 * <p>Timers due at the same instant run in the order they were scheduled.
 *
 * <p>Threading: as {@link Handle}; {@link #when()} is immutable.
 */
public final class TimerHandle extends Handle {
    final long deadlineNanos;
    /* Threading: loop only. In the loop's timer heap: its cancellation counts towards a clean-up. */
    boolean scheduled;
    /* Threading: loop only. Its cancel was counted in the loop's cancelled-timer count. */
    boolean cancelCounted;

    TimerHandle(EventLoop loop, long deadlineNanos, Runnable callback, Context context) {
        super(loop, callback, context);
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Returns when the callback is due: asyncio's {@code TimerHandle.when()}. Any thread.
     *
     * @return the loop time in seconds (same scale as {@link EventLoop#time()})
     */
    public double when() {
        return deadlineNanos / 1e9;
    }

    @Override
    public void cancel() {
        if (!cancelled()) {
            super.cancel();
            loop.timerHandleCancelled(this);
        }
    }
}
