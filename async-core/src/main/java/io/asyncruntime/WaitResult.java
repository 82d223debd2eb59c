package io.asyncruntime;

import java.util.Set;

/**
 * What {@link Async#wait} returns: the futures that are done and those still pending, asyncio's
 * {@code (done, pending)}.
 *
 * @param done    the futures done when wait returned
 * @param pending the others; wait never cancels them
 */
public record WaitResult(Set<Future<?>> done, Set<Future<?>> pending) {
    /**
     * Creates a result; both sets are copied.
     *
     * @throws NullPointerException if a set is null or holds a null
     */
    public WaitResult {
        done = Set.copyOf(done);
        pending = Set.copyOf(pending);
    }
}
