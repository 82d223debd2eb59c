package io.asyncruntime;

/**
 * A callback scheduled on an {@link EventLoop} by {@link EventLoop#callSoon}, returned so it can be cancelled.
 *
 * <p>The callback runs on the loop, in the {@link Context} that was current when it was scheduled. An
 * exception it throws goes to the loop's exception handler; the loop goes on.
 *
 * <p>Threading: {@link #cancel()} and {@link #cancelled()} may be called from any thread; a cancel that
 * races with the callback starting may come too late.
 */
public class Handle implements Runnable {
    private final Runnable callback;
    private final Context context;
    final EventLoop loop;
    /* Threading: written by any thread through cancel(), read by the loop before running. */
    private volatile boolean cancelled;

    Handle(EventLoop loop, Runnable callback, Context context) {
        this.loop = loop;
        this.callback = callback;
        this.context = context;
    }

    /**
     * Cancels the callback: asyncio's {@code Handle.cancel()}. Does nothing if it already ran or was
     * cancelled. Any thread (a cancel from another thread may come too late for a callback about to run).
     */
    public void cancel() {
        cancelled = true;
    }

    /**
     * Returns whether the handle was cancelled: asyncio's {@code Handle.cancelled()}.
     *
     * @return true once {@link #cancel()} was called, even after the callback ran
     */
    public boolean cancelled() {
        return cancelled;
    }

    /** Runs the callback on the loop (in its context, if it has one), unless cancelled. Not for application code. */
    @Override
    public void run() {
        if (cancelled) {
            return;
        }
        Context previous = loop.enterContext(context);
        try {
            callback.run();
        } catch (Throwable t) {
            loop.callExceptionHandler(new ExceptionContext("Exception in callback " + callback, t, null, this));
        } finally {
            loop.exitContext(previous);
        }
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + (cancelled ? " cancelled " : " ") + callback + ">";
    }
}
