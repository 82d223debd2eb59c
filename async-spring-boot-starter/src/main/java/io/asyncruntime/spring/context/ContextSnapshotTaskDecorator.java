package io.asyncruntime.spring.context;

import io.asyncruntime.Coroutine;
import io.asyncruntime.TaskDecorator;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;

/**
 * Carries the creating thread's context into every task through Micrometer's context-propagation library:
 * whatever its {@code ThreadLocalAccessor}s cover (the logging MDC, the current Micrometer observation and so
 * tracing span, Spring Security's context where registered) is captured when the task is created and restored
 * on the task's thread for the task's whole life.
 *
 * <p>Threading: {@link #decorate} on the creating thread; the returned coroutine on the task's thread. Stateless
 * apart from the factory, which is thread-safe.
 */
public final class ContextSnapshotTaskDecorator implements TaskDecorator, org.springframework.core.Ordered {
    /** Outermost of the application's task decorators: the others already run in the creator's context. */
    public static final int ORDER = org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 100;

    /**
     * Returns {@link #ORDER}.
     *
     * @return the order of this decorator among the TaskDecorator beans
     */
    @Override
    public int getOrder() {
        return ORDER;
    }

    private final ContextSnapshotFactory snapshots;

    public ContextSnapshotTaskDecorator(ContextSnapshotFactory snapshots) {
        this.snapshots = snapshots;
    }

    /**
     * Returns {@code work} wrapped to run in the context captured now: how the runtime's executor carries a task's
     * context to its {@code Async.toThread} work, as Spring's {@code ContextPropagatingTaskDecorator} does for Boot's
     * executors.
     *
     * @param work the work to run on another thread
     * @return the wrapped work
     */
    public Runnable decorate(Runnable work) {
        return snapshots.captureAll().wrap(work);
    }

    @Override
    public <T> Coroutine<T> decorate(Coroutine<T> coro) {
        ContextSnapshot captured = snapshots.captureAll();
        return () -> {
            // An explicit finally, not try-with-resources: the scope is never read, only closed (-Xlint:try).
            ContextSnapshot.Scope restored = captured.setThreadLocals();
            try {
                return coro.call();
            } finally {
                restored.close();
            }
        };
    }
}
