package io.asyncruntime;

import java.util.concurrent.CancellationException;

/**
 * Raised into a task's coroutine at its suspension point when the task is cancelled, and by
 * {@link Future#result()} of a cancelled future. The message is the one given to {@code cancel(msg)}, or null.
 *
 * <p>A coroutine may catch it to clean up; it should rethrow it, as asyncio code re-raises
 * {@code asyncio.CancelledError}. Swallowing it makes the task refuse the cancellation.
 */
public class CancelledError extends CancellationException {
    private static final long serialVersionUID = 1L;

    /** Creates one without message. */
    public CancelledError() {
        super();
    }

    /**
     * Creates one with the cancellation message.
     *
     * @param message the message given to {@code cancel(msg)}, or null for none
     */
    public CancelledError(String message) {
        super(message);
    }
}
