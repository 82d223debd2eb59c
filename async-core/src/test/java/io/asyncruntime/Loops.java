package io.asyncruntime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Test helpers: loops on virtual time, and an ordered log of what happened. */
final class Loops {
    private Loops() {
    }

    /** A loop on a {@link ManualClock}: timers fire at once in virtual time, and {@code time()} is exact. */
    static EventLoop virtual() {
        return EventLoop.builder().clock(new ManualClock()).build();
    }

    /**
     * A loop on the real clock, in this run's engine, whose exception handler drops what it is given: for tests that
     * abandon pending tasks on purpose, where close() reports "Task was destroyed but it is pending!".
     */
    static EventLoop quietRealTime() {
        EventLoop loop = EventLoop.builder().build();
        loop.setExceptionHandler((l, c) -> { });
        return loop;
    }

    /** Runs {@code main} to completion on a fresh virtual-time loop, as {@code Async.run} would, and closes it. */
    static <T> T runVirtual(Coroutine<T> main) {
        EventLoop loop = virtual();
        try {
            return loop.runUntilComplete(main);
        } finally {
            Async.cancelAllTasks(loop);
            loop.close();
        }
    }

    /** A coroutine that sleeps {@code seconds}, then returns {@code value}. */
    static Coroutine<String> after(double seconds, String value) {
        return () -> Async.sleep(java.time.Duration.ofMillis((long) (seconds * 1000)), value);
    }

    /** A coroutine that sleeps {@code seconds}, then throws {@code e}. */
    static Coroutine<String> failAfter(double seconds, RuntimeException e) {
        return () -> {
            Async.sleep(seconds);
            throw e;
        };
    }

    /** An append-only, thread-safe list of lines, like the printed output of the seed examples. */
    static final class Log {
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

        void add(String line) {
            lines.add(line);
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }
}
