package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.TestRestTemplate;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureTestRestTemplate;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureTestRestTemplate
class DemoApplicationTests {

    @Autowired
    TestRestTemplate http;

    @Autowired
    AsyncRuntime runtime;

    @Test
    void sayAfterConcurrentlyTakesTheLongerDelayOverRealHttp() {
        ResponseEntity<Outcome> response =
                http.getForEntity("/examples/say-after?mode=concurrent&scale=0.05", Outcome.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
        Outcome outcome = response.getBody();
        assertThat(outcome).isNotNull();
        assertPrintedInOrder(outcome);
        assertThat(outcome.elapsedSeconds()).isGreaterThanOrEqualTo(0.1).isLessThan(0.1 + 2.0);
        assertThat(outcome.taskName()).isEqualTo("say-after-concurrent");
        assertThat(outcome.taskId()).isPositive();
    }

    @Test
    void sayAfterSequentiallyTakesTheSumOfTheDelays() {
        Outcome outcome =
                http.getForObject("/examples/say-after?mode=sequential&scale=0.05", Outcome.class);
        assertPrintedInOrder(outcome);
        assertThat(outcome.elapsedSeconds()).isGreaterThanOrEqualTo(0.15).isLessThan(0.15 + 2.0);
    }

    /* The docs' transcript; "started at" is read right after the start, so it is 0.00 unless a pause intervened. */
    private static void assertPrintedInOrder(Outcome outcome) {
        assertThat(outcome.output()).hasSize(4);
        assertThat(outcome.output().get(0)).matches("started at 0\\.0\\d");
        assertThat(outcome.output().subList(1, 3)).containsExactly("hello", "world");
        assertThat(outcome.output().get(3))
                .isEqualTo(String.format(Locale.ROOT, "finished at %.2f", outcome.elapsedSeconds()));
    }

    @Test
    void badInputIsA400() {
        assertThat(http.getForEntity("/examples/say-after?mode=sideways", String.class).getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(http.getForEntity("/examples/say-after?scale=-1", String.class).getStatusCode())
                .isEqualTo(HttpStatus.BAD_REQUEST);
    }

    @Test
    void theLoopRunsOnTheConfiguredThreadInFastMode() {
        assertThat(runtime.thread().getName()).isEqualTo("demo-loop");
        assertThat(runtime.loop().engineMode()).isEqualTo(io.asyncruntime.EngineMode.FAST);
    }
}
