/**
 * asyncio for Java: an event loop, futures, tasks and coroutines on virtual threads, with asyncio's names in
 * Java's spelling.
 *
 * <p>Start with {@link io.asyncruntime.Async#run} for a program that owns its thread, or
 * {@link io.asyncruntime.AsyncRuntime} for a loop on its own thread that the rest of an application uses from
 * any thread. A {@link io.asyncruntime.Coroutine} runs as a {@link io.asyncruntime.Task}; it awaits
 * {@link io.asyncruntime.Future}s and tasks with {@code await()}, which suspends the task, never the loop.
 *
 * <p>Threading: a loop and what belongs to it (futures, tasks, handles, scopes) are confined to the loop's
 * thread while it runs, as in asyncio; each method says when it may be called from elsewhere. Methods that take
 * time take it in seconds of loop time (a {@code double}, as asyncio) or as a {@link java.time.Duration}.
 */
package io.asyncruntime;
