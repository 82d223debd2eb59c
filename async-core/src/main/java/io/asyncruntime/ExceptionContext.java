package io.asyncruntime;

/**
 * What the loop's exception handler receives: asyncio's context dict as a record.
 *
 * @param message   what happened, never null
 * @param exception the error, or null
 * @param future    the future or task whose error nobody retrieved, or null
 * @param handle    the callback that threw, or null
 */
public record ExceptionContext(String message, Throwable exception, Future<?> future, Handle handle) {
}
