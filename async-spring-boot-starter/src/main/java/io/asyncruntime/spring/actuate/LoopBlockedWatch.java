package io.asyncruntime.spring.actuate;

import io.asyncruntime.EventLoop;
import io.asyncruntime.LoopStall;
import io.asyncruntime.LoopStallListener;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Remembers whether the loop is blocked right now, from the watchdog's stall reports, so that
 * {@code /actuator/tasks/current} can say what holds the loop while it is held (the console's banner) without
 * asking the loop, which is the one thing that cannot answer.
 *
 * <p>Threading: written by the watchdog thread, read by any thread (one volatile field). Final because it
 * registers itself from its constructor: a subclass would be called before it is initialised.
 */
final class LoopBlockedWatch implements LoopStallListener {
    private final EventLoop loop;

    /* Threading: written by the watchdog thread; read by request threads. Null while the loop is not blocked. */
    private volatile @Nullable Held held;

    /** A stall still in progress, and when the watchdog reported it ({@link System#nanoTime()}). */
    record Held(LoopStall stall, long reportedAtNanos) {

        /** Returns how long the step has held the loop by now: as sampled when reported, plus the time since. */
        Duration heldFor() {
            return stall.heldFor().plusNanos(System.nanoTime() - reportedAtNanos);
        }
    }

    LoopBlockedWatch(EventLoop loop) {
        this.loop = loop;
        loop.addStallListener(this);
    }

    /** Returns the stall in progress, or null if the loop is not blocked (as of the watchdog's last sample). */
    @Nullable Held held() {
        return held;
    }

    @Override
    public void blocked(LoopStall stall) {
        held = new Held(stall, System.nanoTime());
    }

    @Override
    public void unblocked(LoopStall stall, Duration total) {
        held = null;
    }

    void close() {
        loop.removeStallListener(this);
        held = null;
    }
}
