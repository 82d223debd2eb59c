package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** PEP 567 semantics, after CPython's test_context.py and the task tests that use contexts. */
class ContextVarTest {
    private static final ContextVar<String> REQUEST = new ContextVar<>("request");
    private static final ContextVar<Integer> DEPTH = new ContextVar<>("depth", 0);

    @Test
    void defaultsAndMissingValues() {
        assertThat(DEPTH.get()).isZero();
        assertThat(REQUEST.get("fallback")).isEqualTo("fallback");
        new Context().run(() -> assertThatThrownBy(REQUEST::get).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("request"));
    }

    @Test
    void aTaskSeesItsCreatorsValuesAtCreationAndItsOwnChangesStayInside() {
        Loops.runVirtual(() -> {
            REQUEST.set("outer");
            Task<String> child = Async.createTask(() -> {
                String seen = REQUEST.get();
                REQUEST.set("changed by child");
                Async.sleep(1);
                return seen + "/" + REQUEST.get();
            });
            REQUEST.set("changed after creation");
            assertThat(child.await()).isEqualTo("outer/changed by child");
            assertThat(REQUEST.get()).isEqualTo("changed after creation");
            return null;
        });
    }

    @Test
    void tasksDoNotSeeEachOthersChangesAcrossAwaits() {
        Loops.runVirtual(() -> {
            Task<String> a = Async.createTask(() -> {
                REQUEST.set("a");
                Async.sleep(1);
                return REQUEST.get();
            });
            Task<String> b = Async.createTask(() -> {
                REQUEST.set("b");
                Async.sleep(1);
                return REQUEST.get();
            });
            assertThat(a.await() + b.await()).isEqualTo("ab");
            return null;
        });
    }

    @Test
    void resetRestoresThePreviousValueAndTokensAreChecked() {
        new Context().run(() -> {
            ContextVar.Token<String> first = REQUEST.set("one");
            assertThat(first.wasMissing()).isTrue();
            ContextVar.Token<String> second = REQUEST.set("two");
            REQUEST.reset(second);
            assertThat(REQUEST.get()).isEqualTo("one");
            assertThatThrownBy(() -> REQUEST.reset(second)).isInstanceOf(IllegalStateException.class);
            REQUEST.reset(first);
            assertThat(REQUEST.get(null)).isNull();
            ContextVar<String> other = new ContextVar<>("other");
            ContextVar.Token<String> foreign = other.set("x");
            @SuppressWarnings({"unchecked", "rawtypes"})
            ContextVar.Token<String> wrongVar = (ContextVar.Token) foreign;
            assertThatThrownBy(() -> REQUEST.reset(wrongVar)).isInstanceOf(IllegalArgumentException.class);
            ContextVar.Token<String> made = REQUEST.set("here");
            new Context().run(() -> assertThatThrownBy(() -> REQUEST.reset(made))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different Context"));
        });
    }

    @Test
    void contextRunIsolatesAndCopiesAreIndependent() {
        Context ctx = new Context();
        ctx.run(() -> REQUEST.set("inside"));
        assertThat(ctx.containsKey(REQUEST)).isTrue();
        assertThat(ctx.size()).isEqualTo(1);
        Context copy = ctx.copy();
        copy.run(() -> REQUEST.set("in copy"));
        assertThat(ctx.run(() -> REQUEST.get())).isEqualTo("inside");
        assertThat(copy.run(() -> REQUEST.get())).isEqualTo("in copy");
    }

    @Test
    void callbacksRunInTheContextCurrentWhenScheduled() {
        Loops.runVirtual(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> seen = loop.createFuture();
            REQUEST.set("at schedule time");
            loop.callSoon(() -> seen.setResult(REQUEST.get()));
            REQUEST.set("later");
            assertThat(seen.await()).isEqualTo("at schedule time");
            Future<String> doneSeen = loop.createFuture();
            Future<String> trigger = loop.createFuture();
            REQUEST.set("at add time");
            trigger.addDoneCallback(f -> doneSeen.setResult(REQUEST.get()));
            REQUEST.set("after add");
            trigger.setResult("go");
            assertThat(doneSeen.await()).isEqualTo("at add time");
            return null;
        });
    }

    @Test
    void aTaskCreatedFromAnotherThreadCarriesThatThreadsContext() {
        try (AsyncRuntime runtime = AsyncRuntime.start("context-runtime")) {
            String seen = new Context().run(() -> {
                REQUEST.set("from caller thread");
                return runtime.run(REQUEST::get);
            });
            assertThat(seen).isEqualTo("from caller thread");
        }
    }
}
