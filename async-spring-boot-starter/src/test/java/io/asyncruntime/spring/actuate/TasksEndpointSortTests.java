package io.asyncruntime.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.debug.TaskHistory;
import io.asyncruntime.spring.actuate.TasksEndpoint.TaskView;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.Show;

/** The list's {@code sort}: by id, name or state, descending with '-', ties by id; anything else a 400 problem. */
class TasksEndpointSortTests {
    private final AsyncRuntime runtime = AsyncRuntime.start("sort-loop");
    private final TasksEndpoint endpoint = new TasksEndpoint(runtime, TaskHistory.attach(runtime.loop(), 10),
            Show.NEVER, Set.of());

    @AfterEach
    void close() {
        endpoint.destroy();
        runtime.close();
    }

    private List<String> names(String sort) {
        return endpoint.tasks(SecurityContext.NONE, "sorted-", null, null, null, sort).tasks().stream()
                .map(TaskView::name).toList();
    }

    @Test
    void sortsByIdNameOrStateEitherWay() {
        // Created in one step of the loop, so all are pending (and registered) before the first read.
        runtime.run(() -> {
            for (String name : List.of("sorted-b", "sorted-c", "sorted-a", "sorted-b")) {
                runtime.createTask(() -> {
                    Async.sleep(3600);
                    return null;
                }, name);
            }
            return null;
        }, "create-sorted");
        assertThat(names(null)).containsExactly("sorted-b", "sorted-c", "sorted-a", "sorted-b");
        assertThat(names("id")).isEqualTo(names(null));
        assertThat(names("-id")).containsExactly("sorted-b", "sorted-a", "sorted-c", "sorted-b");
        assertThat(names("name")).containsExactly("sorted-a", "sorted-b", "sorted-b", "sorted-c");
        assertThat(names("-name")).containsExactly("sorted-c", "sorted-b", "sorted-b", "sorted-a");
        List<Long> ids = endpoint.tasks(SecurityContext.NONE, "sorted-b", null, null, null, "name").tasks().stream()
                .map(TaskView::id).toList();
        assertThat(ids).as("ties in id order").isSorted();
        assertThat(names("state")).hasSize(4);
    }

    @Test
    void anUnknownOrderIsAnInvalidParameterNamingTheOrders() {
        assertThatExceptionOfType(InvalidTasksRequestException.class).isThrownBy(() -> names("age"))
                .satisfies(e -> {
                    assertThat(e.problem().status()).isEqualTo(400);
                    assertThat(e.problem().parameter()).isEqualTo("sort");
                    assertThat(e.problem().accepted()).containsExactly("id", "-id", "name", "-name", "state", "-state");
                });
    }
}
