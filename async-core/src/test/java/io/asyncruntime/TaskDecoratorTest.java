package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The loop's TaskDecorator: applied on the creating thread, to every task, inherited through child tasks. */
class TaskDecoratorTest {
    /** Stands for an MDC: a plain thread-local, which a task's own thread would not otherwise see. */
    private static final ThreadLocal<String> USER = new ThreadLocal<>();

    /** Captures USER where the task is created and sets it on the task's thread for the task's whole life. */
    static final class CarryUser implements TaskDecorator {
        final AtomicInteger decorated = new AtomicInteger();

        @Override
        public <T> Coroutine<T> decorate(Coroutine<T> coro) {
            decorated.incrementAndGet();
            String captured = USER.get();
            return () -> {
                USER.set(captured);
                try {
                    return coro.call();
                } finally {
                    USER.remove();
                }
            };
        }
    }

    @Test
    void aTaskCreatedFromAnotherThreadCarriesThatThreadsValueAcrossAwaitsAndIntoItsChildren() {
        CarryUser carry = new CarryUser();
        try (AsyncRuntime runtime = AsyncRuntime.start("decorated")) {
            runtime.loop().setTaskDecorator(carry);
            USER.set("ada");
            try {
                Coroutine<String> body = () -> {
                    String before = USER.get();
                    Async.sleep(0.01);
                    Task<String> child = Async.createTask(() -> {
                        Async.sleep(0);
                        return USER.get();
                    });
                    return before + "/" + USER.get() + "/child:" + child.await();
                };
                Task<String> task = runtime.createTask(body, "carrier");
                assertThat(task.getCoro()).isSameAs(body);
                assertThat(task.toString()).doesNotContain("Decorated");
                assertThat(runtime.run(task::await)).isEqualTo("ada/ada/child:ada");
            } finally {
                USER.remove();
            }
            // The loop thread itself never got the value, and other tasks do not see it.
            assertThat(runtime.run(() -> String.valueOf(USER.get()))).isEqualTo("null");
            assertThat(carry.decorated.get()).as("carrier, child and the two run() tasks").isEqualTo(4);
        }
    }

    @Test
    void theDecoratedTasksStackShowsOnlyTheUsersFrames() {
        try (AsyncRuntime runtime = AsyncRuntime.start("decorated-stack")) {
            runtime.loop().setTaskDecorator(new CarryUser());
            Task<Void> sleeper = runtime.createTask(() -> {
                Async.sleep(3600);
                return null;
            }, "sleeper");
            runtime.run(() -> {
                Async.sleep(0.01);
                return null;
            });
            assertThat(sleeper.getStack()).noneMatch(f -> f.getClassName().startsWith("io.asyncruntime.Task$"))
                    .noneMatch(f -> f.getClassName().startsWith(CarryUser.class.getName()))
                    .first().satisfies(oldest -> assertThat(oldest.getMethodName()).startsWith("lambda$theDecoratedTasksStack"));
            runtime.cancel(sleeper.getId(), "done looking");
        }
    }

    @Test
    void noDecoratorAndAClearedOneLeaveTheCoroutineAlone() {
        try (AsyncRuntime runtime = AsyncRuntime.start("plain")) {
            CarryUser carry = new CarryUser();
            runtime.loop().setTaskDecorator(carry);
            assertThat(runtime.loop().getTaskDecorator()).isSameAs(carry);
            runtime.loop().setTaskDecorator(null);
            USER.set("bob");
            try {
                assertThat(runtime.run(() -> String.valueOf(USER.get()))).isEqualTo("null");
            } finally {
                USER.remove();
            }
            assertThat(carry.decorated.get()).isZero();
        }
    }

    @Test
    void aDecoratorThatReturnsNullIsRefusedAtCreation() {
        try (AsyncRuntime runtime = AsyncRuntime.start("broken")) {
            runtime.loop().setTaskDecorator(new TaskDecorator() {
                @Override
                public <T> Coroutine<T> decorate(Coroutine<T> coro) {
                    return null;
                }
            });
            assertThatThrownBy(() -> runtime.createTask(() -> 1, "x")).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("TaskDecorator returned null");
            runtime.loop().setTaskDecorator(null);
            assertThat(runtime.run(() -> 7)).isEqualTo(7);
        }
    }
}
