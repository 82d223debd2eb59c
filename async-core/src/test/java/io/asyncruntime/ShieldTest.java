package io.asyncruntime;

import static io.asyncruntime.Loops.after;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link Async#shield}: the rules of CPython's tasks.py (its null and done-future edges: AsyncTest). */
class ShieldTest {

    @Test
    void shieldProtectsTheInnerTaskFromTheOuterCancellation() {
        Loops.runVirtual(() -> {
            Task<String> inner = Async.createTask(after(2, "inner"));
            Task<String> outer = Async.createTask(() -> Async.<String>shield(inner).await());
            Async.sleep(1);
            outer.cancel();
            assertThatThrownBy(outer::await).isInstanceOf(CancelledError.class);
            assertThat(inner.cancelled()).isFalse();
            assertThat(inner.await()).isEqualTo("inner");
            return null;
        });
    }

    @Test
    void cancellingTheInnerTaskCancelsTheShield() {
        Loops.runVirtual(() -> {
            Task<String> inner = Async.createTask(after(2, "inner"));
            Future<String> shielded = Async.shield(inner);
            Async.sleep(1);
            inner.cancel();
            assertThatThrownBy(shielded::await).isInstanceOf(CancelledError.class);
            assertThat(shielded.cancelled()).isTrue();
            Future<String> done = Async.getRunningLoop().createFuture();
            done.setResult("x");
            assertThat(Async.<String>shield(done)).isSameAs(done);
            return null;
        });
    }
}
