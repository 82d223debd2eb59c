package io.asyncruntime.spring.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.ManualClock;
import io.asyncruntime.spring.AsyncRuntimeBuilderCustomizer;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The README's way to run the auto-configured runtime on virtual time in an application's own
 * {@code @SpringBootTest}: a {@code @TestConfiguration} with a {@link ManualClock} bean and an
 * {@link AsyncRuntimeBuilderCustomizer} that hands it to the runtime. An hour of {@code Async.sleep} then passes in
 * milliseconds, in the whole application with its meters, and virtual time stands still while nothing waits.
 */
@SpringBootTest(classes = VirtualTimeSpringBootTests.App.class, properties = "async.runtime.loop-name=virtual")
class VirtualTimeSpringBootTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(VirtualTime.class)
    static class App {
    }

    /** The README's snippet, verbatim. */
    @TestConfiguration(proxyBeanMethods = false)
    static class VirtualTime {
        @Bean
        ManualClock manualClock() {
            return new ManualClock();
        }

        @Bean
        AsyncRuntimeBuilderCustomizer virtualTime(ManualClock clock) {
            return builder -> builder.clock(clock);
        }
    }

    @Autowired
    AsyncRuntime runtime;

    @Autowired
    ManualClock clock;

    @Autowired
    MeterRegistry meters;

    @Test
    void anHourOfSleepPassesInMillisecondsOfWallTime() {
        assertThat(runtime.loop().clock()).isSameAs(clock);
        long wallStart = System.nanoTime();
        double slept = runtime.run(() -> {
            double start = Async.getRunningLoop().time();
            Async.sleep(Duration.ofHours(1));
            return Async.getRunningLoop().time() - start;
        });
        Duration wall = Duration.ofNanos(System.nanoTime() - wallStart);

        // Exactly an hour of loop time: the loop jumped its clock to the timer instead of waiting for it.
        assertThat(slept).isCloseTo(3600.0, within(1e-6));
        // Real time: a generous bound for a loaded machine, still three orders of magnitude below an hour.
        assertThat(wall).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void virtualTimeStandsStillWhileNothingWaits() {
        // With the meters bound (Actuator is here) but no latency probe re-arming on virtual time, an idle loop
        // has no timer to jump to: its clock does not race ahead between two calls.
        assertThat(meters.find("async.tasks.created").tag("loop", "virtual").functionCounter()).isNotNull();
        double first = runtime.run(() -> Async.getRunningLoop().time());
        runtime.run(() -> Async.sleep(Duration.ZERO, null));
        double second = runtime.run(() -> Async.getRunningLoop().time());
        assertThat(second).isEqualTo(first);
        assertThat(meters.get("async.loop.latency").tag("loop", "virtual").timer().count()).isZero();
    }
}
