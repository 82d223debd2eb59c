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
}
