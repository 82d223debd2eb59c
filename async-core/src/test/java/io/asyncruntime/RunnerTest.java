package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link Runner}, asyncio's {@code Runner} (3.11). Expected behaviour checked on python3.13 unless a test says
 * Java-only.
 */
class RunnerTest {
    private static final ContextVar<String> USER = new ContextVar<>("user", "unset");

    private static Runner virtualRunner() {
        return new Runner(Loops::virtual);
    }

    /* python3.13: a ContextVar set in run 1 is seen by run 2; the thread that made the runner does not see it. */
    @Test
    void runsSeveralCoroutinesOnOneLoopAndOneContext() {
        List<EventLoop> loops = new ArrayList<>();
        try (Runner runner = virtualRunner()) {
            assertThat(runner.run(() -> {
                loops.add(Async.getRunningLoop());
                USER.set("ada");
                return "one";
            })).isEqualTo("one");
            assertThat(runner.run(() -> {
                loops.add(Async.getRunningLoop());
                return USER.get();
            })).isEqualTo("ada");
            assertThat(USER.get()).isEqualTo("unset");
            assertThat(loops).containsExactly(runner.getLoop(), runner.getLoop());
            assertThat(runner.getContext().containsKey(USER)).isTrue();
        }
    }

    /* python3.13: the context is copied when the runner is first used; later changes outside are not seen. */
    @Test
    void theContextIsACopyTakenAtFirstUse() {
        Context outside = new Context();
        outside.run(() -> {
            USER.set("before first use");
            try (Runner runner = virtualRunner()) {
                runner.getLoop();
                USER.set("after first use");
                assertThat(runner.run(() -> USER.get())).isEqualTo("before first use");
            }
        });
    }

    @Test
    void runInAGivenContextUsesThatContext() {
        Context other = new Context();
        other.run(() -> USER.set("other"));
        try (Runner runner = virtualRunner()) {
            assertThat(runner.run(() -> USER.get(), other)).isEqualTo("other");
            runner.run(() -> USER.set("changed"), other);
            assertThat(other.run(() -> USER.get())).isEqualTo("changed");
            assertThat(runner.run(() -> USER.get())).isEqualTo("unset");
        }
    }

    /* python3.13: a task created in run 1 that sleeps 1 s finishes during run 3 (which sleeps 2 s). */
    @Test
    void tasksLeftPendingByOneRunGoOnInTheNext() {
        List<String> log = new ArrayList<>();
        try (Runner runner = virtualRunner()) {
            runner.run(() -> Async.createTask(() -> {
                Async.sleep(1);
                log.add("background finished");
                return null;
            }));
            assertThat(log).isEmpty();
            runner.run(() -> Async.sleep(java.time.Duration.ofSeconds(2), "slept"));
            assertThat(log).containsExactly("background finished");
        }
    }

    /* python3.13: close() cancels what is left (its CancelledError handler runs) and closes the loop. */
    @Test
    void closeCancelsLeftoverTasksAndClosesTheLoop() {
        List<String> log = new ArrayList<>();
        Runner runner = virtualRunner();
        runner.run(() -> Async.createTask(() -> {
            try {
                Async.sleep(10);
            } catch (CancelledError e) {
                log.add("cancelled at close");
                throw e;
            }
            return null;
        }));
        EventLoop loop = runner.getLoop();
        runner.close();
        assertThat(log).containsExactly("cancelled at close");
        assertThat(loop.isClosed()).isTrue();
        assertThat(runner.isClosed()).isTrue();
    }

    /* python3.13: run() and get_loop() after close raise RuntimeError("Runner is closed"); close twice is fine. */
    @Test
    void aClosedRunnerRefusesWorkAndClosingTwiceDoesNothing() {
        Runner runner = virtualRunner();
        runner.run(() -> "once");
        runner.close();
        runner.close();
        assertThatThrownBy(() -> runner.run(() -> "again")).isInstanceOf(IllegalStateException.class)
                .hasMessage("Runner is closed");
        assertThatThrownBy(runner::getLoop).isInstanceOf(IllegalStateException.class).hasMessage("Runner is closed");
    }

    /* Java-only: close() before any use closes for good (Python's close() does nothing until entered). */
    @Test
    void closeBeforeFirstUseClosesForGoodAndCreatesNoLoop() {
        List<EventLoop> made = new ArrayList<>();
        Runner runner = new Runner(() -> {
            EventLoop l = Loops.virtual();
            made.add(l);
            return l;
        });
        runner.close();
        assertThatThrownBy(() -> runner.run(() -> "x")).isInstanceOf(IllegalStateException.class);
        assertThat(made).isEmpty();
    }

    /* python3.13: Runner.run() inside a coroutine raises RuntimeError with this message. */
    @Test
    void runFromARunningLoopIsRefused() {
        try (Runner runner = virtualRunner()) {
            String error = runner.run(() -> {
                try {
                    runner.run(() -> "nested");
                    return "ran";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });
            assertThat(error).isEqualTo("Runner.run() cannot be called from a running event loop");
        }
    }

    /* Java-only: close() from one of the runner's own coroutines is refused; the runner stays usable. */
    @Test
    void closeFromInsideARunIsRefused() {
        try (Runner runner = virtualRunner()) {
            assertThat(runner.run(() -> {
                try {
                    runner.close();
                    return "closed";
                } catch (IllegalStateException e) {
                    return "refused";
                }
            })).isEqualTo("refused");
            assertThat(runner.run(() -> "still usable")).isEqualTo("still usable");
        }
    }

    /* python3.13: run() raises the coroutine's own exception and the runner can run again. */
    @Test
    void runRaisesTheCoroutinesExceptionAndTheRunnerStaysUsable() {
        IllegalStateException boom = new IllegalStateException("k");
        try (Runner runner = virtualRunner()) {
            assertThatThrownBy(() -> runner.run(() -> {
                throw boom;
            })).isSameAs(boom);
            assertThat(runner.run(() -> "again")).isEqualTo("again");
            assertThatThrownBy(() -> runner.run(() -> {
                Async.currentTask().orElseThrow().cancel("stop");
                Async.sleep(0);
                return "not reached";
            })).isInstanceOf(CancelledError.class).hasMessage("stop");
        }
    }

    /* python3.13: Runner(debug=True).get_loop().get_debug() is True; default False; loop_factory is used. */
    @Test
    void debugFlagAndLoopFactoryAreApplied() {
        try (Runner plain = new Runner(); Runner debug = new Runner(true)) {
            assertThat(plain.getLoop().getDebug()).isFalse();
            assertThat(debug.getLoop().getDebug()).isTrue();
        }
        AtomicReference<EventLoop> made = new AtomicReference<>();
        try (Runner fromFactory = new Runner(() -> {
            made.set(EventLoop.builder().clock(new ManualClock()).debug(true).name("batch").build());
            return made.get();
        })) {
            assertThat(fromFactory.getLoop()).isSameAs(made.get());
            assertThat(fromFactory.getLoop().getDebug()).isTrue();
            assertThat(fromFactory.run(() -> Async.getRunningLoop().name())).isEqualTo("batch");
        }
        try (Runner overridden = new Runner(EventLoop.builder().clock(new ManualClock()).debug(true)::build, false)) {
            assertThat(overridden.getLoop().getDebug()).isFalse();
        }
    }

    @Test
    void badArgumentsAreClearErrors() {
        assertThatThrownBy(() -> new Runner(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("loopFactory");
        try (Runner runner = virtualRunner()) {
            assertThatThrownBy(() -> runner.run(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("coro");
        }
        EventLoop closed = Loops.virtual();
        closed.close();
        try (Runner runner = new Runner(() -> closed)) {
            assertThatThrownBy(runner::getLoop).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed loop");
        }
        try (Runner runner = new Runner(() -> null)) {
            assertThatThrownBy(runner::getLoop).isInstanceOf(NullPointerException.class).hasMessageContaining("loop factory");
        }
    }
}
