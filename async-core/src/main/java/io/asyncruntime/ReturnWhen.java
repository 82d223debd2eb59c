package io.asyncruntime;

/** When {@link Async#wait} returns: asyncio's {@code FIRST_COMPLETED}, {@code FIRST_EXCEPTION}, {@code ALL_COMPLETED}. */
public enum ReturnWhen {
    /** As soon as any future is done or cancelled. */
    FIRST_COMPLETED,
    /** As soon as any future fails with an exception, or when all are done. */
    FIRST_EXCEPTION,
    /** When all futures are done or cancelled. */
    ALL_COMPLETED
}
