package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.spring.metrics.AsyncRuntimeMetricsAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.task.TaskExecutorMetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.TaskDecorator;

/**
 * The executor behind {@code Async.toThread} is a bean the application can replace, set beside Boot's
 * {@code applicationTaskExecutor} without displacing it, decorated and measured as Boot's own executors are.
 */
class RuntimeExecutorTests {
    private static final String NAME = AsyncRuntimeAutoConfiguration.EXECUTOR_BEAN_NAME;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class,
                    AsyncRuntimeMetricsAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
                    MetricsAutoConfiguration.class, TaskExecutorMetricsAutoConfiguration.class))
            .withPropertyValues("async.runtime.loop-name=exec-loop");

    /** Takes whatever Executor autowiring by type gives an application. */
    record ExecutorUser(Executor executor) {
    }

    @Test
    void theExecutorIsABeanBesideBootsApplicationTaskExecutor() {
        runner.withBean(ExecutorUser.class).run(context -> {
            assertThat(context).hasBean(NAME).hasBean("applicationTaskExecutor");
            // Injected by name only: an application asking for "the" Executor still gets Boot's.
            assertThat(context.getBean(ExecutorUser.class).executor()).isSameAs(context.getBean("applicationTaskExecutor"));
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            String thread = runtime.run(() -> Async.toThread(() -> {
                Thread me = Thread.currentThread();
                return (me.isVirtual() ? "virtual " : "platform ") + me.getName();
            }));
            assertThat(thread).isEqualTo("virtual exec-loop-executor-1");
        });
    }

    @Test
    void workCarriesTheTasksContextThroughTheApplicationsSpringTaskDecoratorsInOrder() {
        List<String> seen = new CopyOnWriteArrayList<>();
        runner.withBean("first", TaskDecorator.class, () -> new OrderedDecorator(1, "first", seen))
                .withBean("second", TaskDecorator.class, () -> new OrderedDecorator(2, "second", seen))
                .run(context -> {
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    MDC.put("request", "r-42");
                    String inWorker;
                    try {
                        inWorker = runtime.run(() -> Async.toThread(() -> MDC.get("request")));
                    } finally {
                        MDC.remove("request");
                    }
                    assertThat(inWorker).isEqualTo("r-42");
                    // Each decorator saw the task's MDC already restored (context outermost). The beans compose as on
                    // Boot's own executors (Spring's CompositeTaskDecorator): the first applied first, so innermost.
                    assertThat(seen).containsExactly("second r-42", "first r-42");
                });
    }

    @Test
    void aPoolIsGaugedAndEveryRunTimedLikeBootsExecutors() {
        runner.withPropertyValues("async.runtime.executor.max-threads=2")
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
                    AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    for (int i = 0; i < 3; i++) {
                        assertThat(runtime.run(() -> Async.toThread(() -> "done"))).isEqualTo("done");
                    }
                    // The pool counts a run as completed just after the loop has its result.
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        assertThat(registry.get("executor.completed").tags("name", NAME, "loop", "exec-loop")
                                .functionCounter().count()).isEqualTo(3);
                        assertThat(registry.get("executor.execution").tags("name", NAME, "loop", "exec-loop")
                                .timer().count()).isEqualTo(3);
                    });
                    assertThat(registry.get("executor.pool.max").tag("name", NAME).gauge().value()).isEqualTo(2);
                    assertThat(registry.get("executor.pool.size").tag("name", NAME).gauge().getId().getBaseUnit())
                            .isEqualTo("threads");
                    assertThat(registry.get("executor.idle").tag("name", NAME).timer().count()).isEqualTo(3);
                    // Boot measures its own executor the same way, under its own name, and not with our loop tag.
                    assertThat(registry.get("executor.completed").tag("name", "applicationTaskExecutor").functionCounter()
                            .getId().getTag("loop")).isNull();
                });
    }

    @Test
    void aVirtualThreadPerCallIsTimedWithoutPoolGauges() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            runtime.run(() -> Async.toThread(() -> "done"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    registry.get("executor.execution").tags("name", NAME, "loop", "exec-loop").timer().count()).isEqualTo(1));
            assertThat(registry.find("executor.pool.size").tag("name", NAME).meters()).isEmpty();
        });
    }

    @Test
    void anApplicationExecutorBeanReplacesOursAndIsDecoratedToo() {
        runner.withUserConfiguration(LoopSupervisionTests.OwnExecutor.class).run(context -> {
            assertThat(context.getBean(NAME, ExecutorService.class).toString()).doesNotContain("ThreadPerTaskExecutor");
            AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
            MDC.put("request", "r-7");
            try {
                assertThat(runtime.run(() -> Async.toThread(() -> Thread.currentThread().getName() + " " + MDC.get("request"))))
                        .isEqualTo("app-worker r-7");
            } finally {
                MDC.remove("request");
            }
        });
    }

    @Test
    void backsOffWithTheApplicationsOwnRuntime() {
        runner.withBean(AsyncRuntime.class, () -> AsyncRuntime.builder().name("own").start()).run(context ->
                assertThat(context).doesNotHaveBean(NAME).hasSingleBean(AsyncRuntime.class));
    }

    @Test
    void theLoopShutsTheExecutorDownWhenItCloses() {
        ExecutorService[] executor = new ExecutorService[1];
        runner.run(context -> executor[0] = context.getBean(NAME, ExecutorService.class));
        assertThat(executor[0].isShutdown()).isTrue();
    }

    private record OrderedDecorator(int order, String name, List<String> seen)
            implements TaskDecorator, org.springframework.core.Ordered {
        @Override
        public Runnable decorate(Runnable runnable) {
            return () -> {
                seen.add(name + " " + MDC.get("request"));
                runnable.run();
            };
        }

        @Override
        public int getOrder() {
            return order;
        }
    }
}
