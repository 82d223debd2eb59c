package io.asyncruntime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every stall the watchdog reports is a JDK Flight Recorder event {@code io.asyncruntime.LoopStall}, read back here
 * from a recording dumped to a file as {@code jfr print} would read it. Real time (the watchdog samples a real
 * clock): short delays, generous bounds.
 */
class LoopStallEventTest {
    private final AsyncRuntime runtime = AsyncRuntime.builder().name("recorded-loop")
            .slowCallbackDuration(Duration.ofMillis(50)).blockedThreshold(Duration.ofMillis(150)).start();
    private final LoopStallTest.Recorder recorder = new LoopStallTest.Recorder();

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void aBlockedTaskIsRecordedWithItsLoopTaskDurationAndStack(@TempDir Path dir) throws Exception {
        // Registered after the loop's own flight-recorder listener, so hearing of the stall means the event is committed.
        runtime.loop().addStallListener(recorder);
        List<RecordedEvent> events;
        Task<String> culprit;
        try (Recording recording = new Recording()) {
            recording.enable(LoopStallEvent.NAME);
            recording.start();
            CountDownLatch release = new CountDownLatch(1);
            culprit = runtime.createTask(() -> {
                LoopStallTest.holdTheLoop(release);
                return "done";
            }, "jfr-culprit");
            assertThat(recorder.next()).isEqualTo("slow:jfr-culprit");
            assertThat(recorder.next()).isEqualTo("blocked:jfr-culprit");
            release.countDown();
            assertThat(recorder.next()).isEqualTo("unblocked:jfr-culprit");
            recording.stop();
            Path file = dir.resolve("stalls.jfr");
            recording.dump(file);
            events = RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals("io.asyncruntime.LoopStall")).toList();
            assertThat(Files.size(file)).isPositive();
        }

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.getString("loop")).isEqualTo("recorded-loop");
            assertThat(e.getString("taskName")).isEqualTo("jfr-culprit");
            assertThat(e.getLong("taskId")).isEqualTo(culprit.getId());
            // The task's virtual thread is named only from its first suspension on, and this one never suspended.
            assertThat(e.getString("thread")).isNotEmpty();
            assertThat(e.getDuration("heldFor")).isGreaterThanOrEqualTo(Duration.ofMillis(150)).isLessThan(Duration.ofSeconds(10));
            assertThat(e.getDuration("threshold")).isEqualTo(Duration.ofMillis(150));
            assertThat(e.getString("stack")).contains("\tat io.asyncruntime.LoopStallTest.holdTheLoop(LoopStallTest.java:");
            // The event's own stack would be the watchdog's: left out.
            assertThat(e.getStackTrace()).isNull();
        });
        assertThat(runtime.run(culprit::await)).isEqualTo("done");
    }

    @Test
    void aBlockedCallbackIsRecordedWithoutATask(@TempDir Path dir) throws Exception {
        runtime.loop().addStallListener(recorder);
        try (Recording recording = new Recording()) {
            recording.enable(LoopStallEvent.NAME);
            recording.start();
            CountDownLatch release = new CountDownLatch(1);
            runtime.loop().callSoonThreadsafe(() -> LoopStallTest.holdTheLoop(release));
            assertThat(recorder.next()).isEqualTo("slow:callback");
            assertThat(recorder.next()).isEqualTo("blocked:callback");
            release.countDown();
            recording.stop();
            Path file = dir.resolve("callback.jfr");
            recording.dump(file);
            assertThat(RecordingFile.readAllEvents(file)).filteredOn(e -> e.getEventType().getName().equals(LoopStallEvent.NAME))
                    .singleElement().satisfies(e -> {
                        assertThat(e.getString("taskName")).isEmpty();
                        assertThat(e.getLong("taskId")).isZero();
                        assertThat(e.getString("thread")).isEqualTo("recorded-loop");
                        assertThat(e.getString("stack")).contains("holdTheLoop");
                    });
        }
    }

    @Test
    void theEventIsDescribedForJfrTools() {
        // Registered with the flight recorder once loaded, under the name `jfr print --events` takes.
        FlightRecorder.register(LoopStallEvent.class);
        EventType type = FlightRecorder.getFlightRecorder().getEventTypes().stream()
                .filter(t -> t.getName().equals("io.asyncruntime.LoopStall")).findFirst().orElseThrow();
        assertThat(type.getLabel()).isEqualTo("Event Loop Stall");
        assertThat(type.getCategoryNames()).containsExactly("asyncruntime");
        assertThat(type.getFields()).extracting(f -> f.getName())
                .contains("loop", "taskName", "taskId", "thread", "heldFor", "threshold", "stack");
    }

    @Test
    void withoutARecordingAStallStillReachesTheListeners() throws Exception {
        // No recording: the event is not enabled, nothing is formatted, and the report goes on as before.
        runtime.loop().addStallListener(recorder);
        CountDownLatch release = new CountDownLatch(1);
        runtime.loop().callSoonThreadsafe(() -> LoopStallTest.holdTheLoop(release));
        assertThat(recorder.next()).isEqualTo("slow:callback");
        assertThat(recorder.next()).isEqualTo("blocked:callback");
        release.countDown();
        assertThat(recorder.next()).isEqualTo("unblocked:callback");
    }
}
