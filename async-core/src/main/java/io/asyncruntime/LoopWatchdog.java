package io.asyncruntime;

/**
 * One daemon thread per JVM that looks at every running FAST loop a few times a second and breaks the one
 * hang the engine cannot prevent by itself: an await while the task's virtual thread is pinned to the loop
 * thread (see {@link EventLoop#watchdogTick()}).
 *
 * <p>Threading: started once, lazily; it only reads loops' published state and unparks a pinned thread.
 */
final class LoopWatchdog {
    static final long PERIOD_MILLIS = 100;
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
        for (;;) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            for (EventLoop loop : EventLoop.runningLoops()) {
                if (loop.engineMode() == EngineMode.FAST) {
                    loop.watchdogTick();
                }
            }
        }
    }
}
