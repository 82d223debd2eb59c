package io.asyncruntime;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One step or callback that has held its loop for a long time, as the loop's watchdog saw it while it was still
 * running: the answer to "why is my loop stuck".
 *
 * @param loop the loop that was held
 * @param task the task whose step held it, or null for a plain callback (a timer, {@code callSoon}, …)
 * @param threadName the thread running the step at that moment
 * @param heldFor how long the step had been running when it was seen (a lower bound: the watchdog samples)
 * @param stack the live stack of that step, newest frame first as in a Java stack trace, engine frames left
 *        out; empty if it could not be read
 */
public record LoopStall(EventLoop loop, Task<?> task, String threadName, Duration heldFor, List<StackTraceElement> stack) {

    /**
     * Creates a stall report; {@code stack} is copied.
     *
     * @throws NullPointerException if {@code loop}, {@code threadName}, {@code heldFor} or {@code stack} is null,
     *         or {@code stack} holds a null
     */
    public LoopStall {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(threadName, "threadName");
        Objects.requireNonNull(heldFor, "heldFor");
        stack = List.copyOf(stack);
    }

    /**
     * Names what held the loop, for a log line.
     *
     * @return {@code task 'name' (id n)} for a task, else {@code a callback on thread 'name'}
     */
    public String culprit() {
        return task == null ? "a callback on thread '" + threadName + "'"
                : "task '" + task.getName() + "' (id " + task.getId() + ")";
    }

    /**
     * Returns the stack as the lines of a Java stack trace, newest first.
     *
     * @return one {@code "\tat frame\n"} line per frame; empty if the stack is empty
     */
    public String stackText() {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement frame : stack) {
            b.append("\tat ").append(frame).append('\n');
        }
        return b.toString();
    }
}
