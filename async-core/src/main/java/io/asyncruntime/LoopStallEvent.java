package io.asyncruntime;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * The JDK Flight Recorder event {@value #NAME}: one per stall the watchdog reports
 * ({@link LoopStallListener#blocked}), committed at that moment, while the step still holds the loop, so a
 * recording dumped during the incident (the loop still stuck) already has it. {@code heldFor} is therefore how long
 * the step had held the loop when it was seen (at least the blocked threshold), not its final total.
 *
 * <p>The event's own stack trace is off: it would be the watchdog's. The blocking step's live stack, newest frame
 * first as in {@link LoopStall#stackText()}, is the {@code stack} field.
 *
 * <p>Threading: created and committed on the watchdog thread only.
 */
@Name(LoopStallEvent.NAME)
@Label("Event Loop Stall")
@Category({"asyncruntime"})
@Description("A task step or callback held an event loop past its blocked threshold; recorded while it still held it")
@StackTrace(false)
final class LoopStallEvent extends Event {
    /** The event's name, as {@code jfr print --events} takes it. */
    static final String NAME = "io.asyncruntime.LoopStall";

    @Label("Loop")
    @Description("Name of the event loop that was held")
    String loop;

    @Label("Task Name")
    @Description("Name of the task whose step held the loop; empty for a plain callback")
    String taskName;

    @Label("Task Id")
    @Description("Id of that task; 0 for a plain callback")
    long taskId;

    @Label("Thread")
    @Description("The thread running the step when it was seen; (unnamed) for a task's virtual thread not yet named")
    String thread;

    @Label("Held For")
    @Description("How long the step had held the loop when it was seen: a lower bound of the stall")
    @Timespan(Timespan.NANOSECONDS)
    long heldFor;

    @Label("Blocked Threshold")
    @Description("The loop's blocked threshold at that moment")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;

    @Label("Stack")
    @Description("The step's live stack, newest frame first, engine frames left out")
    String stack;

    /* Called by LoopStallRecorder: the fields are filled, and the stack formatted, only when a recording wants the event. */
    static void commit(LoopStall stall, long thresholdNanos) {
        LoopStallEvent event = new LoopStallEvent();
        if (!event.shouldCommit()) {
            return;
        }
        event.loop = stall.loop().name();
        Task<?> task = stall.task();
        event.taskName = task == null ? "" : task.getName();
        event.taskId = task == null ? 0 : task.getId();
        // A task's virtual thread takes the task's name at its first suspension: one that never suspended has none.
        event.thread = stall.threadName().isEmpty() ? "(unnamed)" : stall.threadName();
        event.heldFor = stall.heldFor().toNanos();
        event.threshold = thresholdNanos;
        event.stack = stall.stackText();
        event.commit();
    }
}
