package io.asyncruntime.spring;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.core.task.TaskDecorator;

/**
 * What the loop is given as its default executor (behind {@code Async.toThread} and {@code runInExecutor(null, …)}):
 * the {@code asyncRuntimeExecutor} bean, with every piece of work first passed through the task decorators, as
 * Boot's own executors are (the creating task's MDC and observation, then the application's Spring
 * {@link TaskDecorator} beans), and, when there is a meter registry, through Micrometer's timing of each run
 * ({@code executor.execution}, {@code executor.idle}).
 *
 * <p>Lifecycle calls go to the bean: the loop shuts it down when it closes, as asyncio's {@code loop.close()} does
 * its default executor.
 *
 * <p>Threading: as thread-safe as the bean; the decorator runs on the submitting thread (the task's own), so it
 * captures that task's context.
 */
final class RuntimeExecutor extends AbstractExecutorService {
    private final ExecutorService bean;
    /* The bean, or Micrometer's timing in front of it. */
    private final Executor through;
    private final @Nullable TaskDecorator decorator;

    RuntimeExecutor(ExecutorService bean, Executor through, @Nullable TaskDecorator decorator) {
        this.bean = bean;
        this.through = through;
        this.decorator = decorator;
    }

    @Override
    public void execute(Runnable command) {
        through.execute(decorator == null ? command : decorator.decorate(command));
    }

    @Override
    public void shutdown() {
        bean.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return bean.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return bean.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return bean.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return bean.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "RuntimeExecutor[" + bean + "]";
    }
}
