package io.asyncruntime.spring.actuate;

import io.asyncruntime.Task;
import io.asyncruntime.debug.TaskInfo;
import io.asyncruntime.debug.TaskState;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses the {@code tasks} endpoint's parameters from the strings the client sent. The operations take every
 * parameter as a nullable {@code String} and convert it here, so that a malformed value is answered with what
 * was wrong (an {@link InvalidTasksRequestException}) instead of Boot's bare 400, and no value, however large,
 * can overflow the paging arithmetic.
 *
 * <p>Threading: stateless.
 */
final class TasksParameters {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    /** Longest cancel message kept: it is stored with the task and shown in the history. */
    static final int MAX_MESSAGE_LENGTH = 1_000;

    /** The states a pending task can be in: the only ones {@code /actuator/tasks?state=} can match. */
    static final Set<TaskState> LIVE_STATES = EnumSet.of(TaskState.PENDING, TaskState.RUNNING, TaskState.CANCELLING);

    private static final List<String> LIVE_STATE_NAMES = LIVE_STATES.stream().map(Enum::name).toList();

    private TasksParameters() {
    }

    /** Returns {@code offset} as a non-negative int, 0 if absent. */
    static int offset(@Nullable String offset) {
        return wholeNumber("offset", offset, 0, 0, Integer.MAX_VALUE);
    }

    /** Returns {@code limit} within 0..{@value #MAX_LIMIT}, {@code absent} if it was not sent. */
    static int limit(@Nullable String limit, int absent) {
        return wholeNumber("limit", limit, absent, 0, MAX_LIMIT);
    }

    /**
     * Returns the live state named by {@code state} (any case), null if absent. A finished state is refused with
     * the reason rather than answered with an always-empty page: the list holds pending tasks only, and the
     * finished ones have their own resource.
     */
    static @Nullable TaskState liveState(@Nullable String state) {
        if (state == null) {
            return null;
        }
        TaskState parsed = Arrays.stream(TaskState.values())
                .filter(s -> s.name().equals(state.strip().toUpperCase(Locale.ROOT))).findFirst().orElse(null);
        if (parsed == null) {
            throw invalid("state", state, LIVE_STATE_NAMES, "Unknown state '" + state + "': a pending task is one of "
                    + LIVE_STATE_NAMES + " (the finished ones are listed at /actuator/tasks/finished).");
        }
        if (!LIVE_STATES.contains(parsed)) {
            throw invalid("state", state, LIVE_STATE_NAMES, "State " + parsed + " is a finished state and never matches"
                    + " this list of pending tasks; the finished tasks, with their outcome, are listed at"
                    + " /actuator/tasks/finished.");
        }
        return parsed;
    }

    /** The orders {@code sort} takes: each key ascending, or descending with a leading {@code -}. */
    static final List<String> SORTS = List.of("id", "-id", "name", "-name", "state", "-state");

    /**
     * A pending task with the name and state it had when the list was read: filtering and sorting compare these,
     * never the live task, whose state and name may change while the list is sorted (a comparator that changes its
     * mind mid-sort makes {@code List.sort} throw).
     */
    record Row(Task<?> task, long id, String name, TaskState state) {

        static Row of(Task<?> task) {
            return new Row(task, task.getId(), task.getName(), TaskInfo.stateOf(task));
        }
    }

    /**
     * Returns the order {@code sort} names, id order if absent. Ties are broken by id, so a page is stable while
     * the tasks on it stay pending.
     */
    static Comparator<Row> sort(@Nullable String sort) {
        Comparator<Row> byId = Comparator.comparingLong(Row::id);
        if (sort == null) {
            return byId;
        }
        String key = sort.strip();
        boolean descending = key.startsWith("-");
        Comparator<Row> order = switch (descending ? key.substring(1) : key) {
            case "id" -> byId;
            case "name" -> Comparator.comparing(Row::name).thenComparing(byId);
            case "state" -> Comparator.comparing(Row::state).thenComparing(byId);
            default -> throw invalid("sort", sort, SORTS, "Unknown order '" + sort + "': sort by id (creation order),"
                    + " name or state, with a leading '-' for descending.");
        };
        return descending ? order.reversed() : order;
    }

    /** Returns the task id in the path: a positive whole number. */
    static long id(String id) {
        long parsed;
        try {
            parsed = Long.parseLong(id.strip());
        } catch (NumberFormatException e) {
            parsed = 0;
        }
        if (parsed < 1) {
            throw invalid("id", id, List.of("current", "finished", "a task id: 1 to " + Long.MAX_VALUE),
                    "Task id '" + id + "' is not a task id: a task id is a positive whole number, as listed by"
                            + " /actuator/tasks; 'current' and 'finished' are the other resources.");
        }
        return parsed;
    }

    /** Returns the cancel message, null if absent; refuses one longer than {@value #MAX_MESSAGE_LENGTH} characters. */
    static @Nullable String message(@Nullable String msg) {
        if (msg != null && msg.length() > MAX_MESSAGE_LENGTH) {
            throw invalid("msg", msg.substring(0, 40) + "...", List.of("0 to " + MAX_MESSAGE_LENGTH + " characters"),
                    "The cancel message has " + msg.length() + " characters; at most " + MAX_MESSAGE_LENGTH
                            + " are kept with the task.");
        }
        return msg;
    }

    private static int wholeNumber(String name, @Nullable String value, int absent, int min, int max) {
        if (value == null) {
            return absent;
        }
        long parsed;
        try {
            // Parsed as a long so that "2147483648" is reported as out of range, not as "not a number".
            parsed = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            if (!value.strip().matches("[+-]?\\d+")) {
                throw invalid(name, value, List.of(min + " to " + max), "Parameter '" + name
                        + "' must be a whole number from " + min + " to " + max + ", not '" + value + "'.");
            }
            parsed = value.strip().startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE; // beyond a long: out of range
        }
        if (parsed < min || parsed > max) {
            throw invalid(name, value, List.of(min + " to " + max),
                    "Parameter '" + name + "' must be from " + min + " to " + max + ", not " + value.strip() + ".");
        }
        return (int) parsed;
    }

    private static InvalidTasksRequestException invalid(String parameter, String value, List<String> accepted,
            String detail) {
        return new InvalidTasksRequestException(
                TasksProblem.Kind.INVALID_PARAMETER.with(detail, parameter, value, accepted));
    }
}
