package io.asyncruntime;

/**
 * One daemon thread per JVM that looks at every running loop many times a second: it tells stall listeners
 * about steps that hold a loop for long ({@link EventLoop#stallTick}), and, a few times a second, breaks the one
 * hang the FAST engine cannot prevent by itself: an await while the task's virtual thread is pinned to the loop
 * thread (see {@link EventLoop#watchdogTick()}).
 *
 * <p>Threading: started once, lazily; it only reads loops' published state, reads stacks and unparks a pinned
 * thread.
 */
final class LoopWatchdog {
    static final long PERIOD_MILLIS = 25;
    /* The pinned-await check needs the same suspension seen stuck across a gap that no healthy suspension
       lasts, so it keeps a 100 ms cadence whatever the sampling period. */
    private static final int PINNED_CHECK_EVERY = 4;
    private static volatile boolean started;

    private LoopWatchdog() {
    }

    static void ensureStarted() {
        if (started) {
            return;
        }
        synchronized (LoopWatchdog.class) {
            if (started) {
                return;
            }
            Thread.ofPlatform().name("asyncruntime-watchdog").daemon(true).start(LoopWatchdog::watch);
            started = true;
        }
    }

    private static void watch() {
        for (long tick = 0; ; tick++) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            boolean pinnedCheck = tick % PINNED_CHECK_EVERY == 0;
            for (EventLoop loop : EventLoop.runningLoops()) {
                try {
                    loop.stallTick(now);
                    if (pinnedCheck && loop.engineMode() == EngineMode.FAST) {
                        loop.watchdogTick();
                    }
                } catch (RuntimeException | Error e) {
                    // One loop's trouble (a stack that cannot be read, say) must not end the watch over all.
                    System.getLogger(LoopWatchdog.class.getName()).log(System.Logger.Level.ERROR,
                            "Watchdog check of loop " + loop.name() + " failed", e);
                }
            }
        }
    }
}
