package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Async#gather} at its edges: empty and null inputs. Expected values checked on python3.13. */
class GatherTest {

    /* python3.13: gather() returns a future that is already done, with result []. */
    @Test
    void gatherOfNothingIsADoneFutureOfAnEmptyList() {
        Loops.runVirtual(() -> {
            Future<List<Object>> none = Async.gather();
            assertThat(none.done()).isTrue();
            assertThat(none.result()).isEmpty();
            Future<List<Object>> emptyList = Async.gather(List.of(), true);
            assertThat(emptyList.done()).isTrue();
            assertThat(emptyList.await()).isEmpty();
            return null;
        });
    }

    /* python3.13: gather(None) raises TypeError; Java: NullPointerException naming the parameter. */
    @Test
    void gatherRefusesNullNamingTheParameter() {
        Loops.runVirtual(() -> {
            assertThatThrownBy(() -> Async.gather((Object[]) null)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.gather((List<?>) null, false)).isInstanceOf(NullPointerException.class)
                    .hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.gather(Arrays.asList(Loops.after(1, "x"), null), false))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("aws");
            assertThatThrownBy(() -> Async.gather(Loops.after(1, "x"), null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("aws");
            return null;
        });
    }
}
