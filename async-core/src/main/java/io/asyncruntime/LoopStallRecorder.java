package io.asyncruntime;

import java.util.concurrent.TimeUnit;

/**
 * The loop's built-in stall listener: turns each blocked report into a JDK Flight Recorder
 * {@link LoopStallEvent}. Every loop starts with it when the JVM has the {@code jdk.jfr} module. It is a class
 * apart from the event so that a runtime image without {@code jdk.jfr} never loads a subclass of
 * {@code jdk.jfr.Event}.
 *
 * <p>Cost: nothing on the loop thread. The watchdog calls it only for a stall, and the event's fields are filled
 * only when a recording has the event enabled.
 *
 * <p>Threading: stateless; called on the watchdog thread.
 */
final class LoopStallRecorder implements LoopStallListener {
    /* The listeners a new loop starts with: this one, or none when the JVM has no flight recorder. */
    static final LoopStallListener[] DEFAULT = ModuleLayer.boot().findModule("jdk.jfr").isPresent()
            ? new LoopStallListener[] {new LoopStallRecorder()} : new LoopStallListener[0];

    private LoopStallRecorder() {
    }

    @Override
    public void blocked(LoopStall stall) {
        LoopStallEvent.commit(stall, TimeUnit.NANOSECONDS.convert(stall.loop().getBlockedThreshold()));
    }
}
