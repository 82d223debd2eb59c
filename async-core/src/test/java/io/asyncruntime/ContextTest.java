package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link Context}'s own surface. Expected values checked on python3.13 (contextvars). */
class ContextTest {

    /* python3.13: Context().get(var, 'fb') is 'fb' even when var has a default; ctx.get(var) after ctx.run(var.set). */
    @Test
    void getReadsAValueWithoutEnteringTheContextAndIgnoresTheVariablesDefault() {
        ContextVar<String> v = new ContextVar<>("v", "default");
        Context ctx = new Context();
        assertThat(ctx.get(v, "fallback")).isEqualTo("fallback");
        ctx.run(() -> v.set("inside"));
        assertThat(ctx.get(v, "fallback")).isEqualTo("inside");
        assertThat(ctx.copy().get(v, null)).isEqualTo("inside");
        assertThat(new Context().get(v, null)).isNull();
        assertThatThrownBy(() -> ctx.get(null, "x")).isInstanceOf(NullPointerException.class).hasMessageContaining("var");
    }

    /* python3.13: ctx.run(lambda: ctx.run(f)) raises RuntimeError "cannot enter context: ... is already entered";
       ctx.run works again afterwards; a copy runs inside the original. */
    @Test
    void aContextIsEnteredOnceAtATime() {
        Context ctx = new Context();
        assertThatThrownBy(() -> ctx.run(() -> ctx.run(() -> "inner")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot enter context")
                .hasMessageContaining("already entered");
        assertThat(ctx.run(() -> "again")).isEqualTo("again");
        assertThat(ctx.run(() -> ctx.copy().run(() -> "copy inside"))).isEqualTo("copy inside");
        assertThatThrownBy(() -> ctx.run((Runnable) () -> ctx.run((Runnable) () -> { })))
                .isInstanceOf(IllegalStateException.class);
    }

    /* python3.13: current_task().get_context().run(f) inside the task raises RuntimeError; a suspended task's
       context runs from another task. */
    @Test
    void aTasksOwnContextIsAlreadyEnteredInsideItButNotWhileItIsSuspended() {
        String seen = Loops.runVirtual(() -> {
            Task<?> self = Async.currentTask().orElseThrow();
            assertThatThrownBy(() -> self.getContext().run(() -> "x"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already entered");
            Task<String> other = Async.createTask(Loops.after(1, "other"));
            Async.sleep(0);
            String fromOther = other.getContext().run(() -> "suspended task's context");
            other.cancel();
            return fromOther;
        });
        assertThat(seen).isEqualTo("suspended task's context");
    }

    /* A second thread cannot enter a context while the first is inside it (Python: RuntimeError in either). */
    @Test
    void aSecondThreadCannotEnterAContextAnotherThreadIsIn() throws Exception {
        Context ctx = new Context();
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread first = Thread.ofPlatform().start(() -> ctx.run(() -> {
            inside.countDown();
            release.await();
            return null;
        }));
        try {
            assertThat(inside.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> ctx.run(() -> "second")).isInstanceOf(IllegalStateException.class);
        } finally {
            release.countDown();
            first.join();
        }
        assertThat(ctx.run(() -> "after")).isEqualTo("after");
    }

    /* python3.13: a task's context is a copy made at create_task: the creator's later set is not seen, and
       get_context() is one object whose values are what the task set. Here the copy is made when first asked
       for, from the values captured at creation; asked before or after the task's own set, it is the same. */
    @Test
    void aTasksContextHoldsTheValuesAtCreationAndIsOneObject() {
        ContextVar<String> v = new ContextVar<>("v");
        Async.run(() -> {
            v.set("before");
            Task<String> untouched = Async.createTask(() -> "x");
            Task<String> reader = Async.createTask(() -> v.get("none"));
            Task<Void> writer = Async.createTask(() -> {
                Async.sleep(0);
                v.set("task's own");
                return null;
            });
            Context early = writer.getContext();
            v.set("after");
            assertThat(reader.await()).isEqualTo("before");
            writer.await();
            untouched.await();
            assertThat(writer.getContext()).isSameAs(early).isSameAs(writer.getContext());
            assertThat(early.get(v, null)).isEqualTo("task's own");
            assertThat(untouched.getContext()).isSameAs(untouched.getContext());
            assertThat(untouched.getContext().get(v, null)).isEqualTo("before");
            assertThat(reader.getContext().get(v, null)).isEqualTo("before");
            assertThat(v.get()).isEqualTo("after");
            return null;
        });
    }
}
