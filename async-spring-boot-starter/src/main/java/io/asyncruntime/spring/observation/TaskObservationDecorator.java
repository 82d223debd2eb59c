package io.asyncruntime.spring.observation;

import io.asyncruntime.Async;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Coroutine;
import io.asyncruntime.Task;
import io.asyncruntime.TaskDecorator;
import io.asyncruntime.spring.context.ContextSnapshotTaskDecorator;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.core.Ordered;

/**
 * Observes each task's run as a Micrometer {@link Observation} named {@value #NAME}: from its first step to its
 * outcome, with the low-cardinality keys {@code loop}, {@code outcome} ({@code success}, {@code failure},
 * {@code cancelled}) and {@code exception} (the failure's simple class name, or {@code none}), and the
 * high-cardinality keys {@code task.name} and {@code task.id}. Its parent is the observation current where the task
 * was created (the request's, say): the context-propagation decorator, outermost, restores it in the task first.
 * So with a tracing bridge every task is a span under its creator's span, and Boot's default meter handler records
 * a timer {@code async.task}.
 *
 * <p>Threading: {@link #decorate} on the creating thread; the observation lives on the task's own thread, scope
 * open across its awaits (no other task runs on that thread).
 */
public final class TaskObservationDecorator implements TaskDecorator, Ordered {
    /** The observation's name. */
    public static final String NAME = "async.task";
    /** Inside the context propagation (which sets the parent), outside the application's decorators. */
    public static final int ORDER = ContextSnapshotTaskDecorator.ORDER + 10;

    private final ObservationRegistry registry;
    private final String loop;

    /**
     * Creates the decorator.
     *
     * @param registry where the observations go
     * @param loop     the loop's name, the {@code loop} key
     */
    public TaskObservationDecorator(ObservationRegistry registry, String loop) {
        this.registry = registry;
        this.loop = loop;
    }

    @Override
    @SuppressWarnings("try") // the scope is opened for its effect: the observation is current inside the task
    public <T> Coroutine<T> decorate(Coroutine<T> coro) {
        if (registry.isNoop()) {
            return coro;
        }
        return () -> {
            Task<?> task = Async.currentTask().orElse(null);
            Observation observation = Observation.createNotStarted(NAME, registry)
                    .lowCardinalityKeyValue("loop", loop);
            if (task != null) {
                observation.contextualName(NAME + " " + task.getName())
                        .highCardinalityKeyValue("task.name", task.getName())
                        .highCardinalityKeyValue("task.id", String.valueOf(task.getId()));
            }
            observation.start();
            String outcome = "success";
            String exception = "none";
            try (Observation.Scope scope = observation.openScope()) {
                return coro.call();
            } catch (CancelledError e) {
                outcome = "cancelled";
                throw e;
            } catch (Exception | Error e) {
                outcome = "failure";
                exception = e.getClass().getSimpleName();
                observation.error(e);
                throw e;
            } finally {
                observation.lowCardinalityKeyValue("outcome", outcome).lowCardinalityKeyValue("exception", exception);
                observation.stop();
            }
        };
    }

    /**
     * Returns {@link #ORDER}.
     *
     * @return the order of this decorator among the TaskDecorator beans
     */
    @Override
    public int getOrder() {
        return ORDER;
    }
}
