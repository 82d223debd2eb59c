package io.asyncruntime.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The hand-written JSON of a problem detail is what a JSON parser reads back, whatever the client sent. */
class TasksProblemTests {

    @Test
    @SuppressWarnings("unchecked")
    void theJsonOfAProblemReadsBackAsTheProblemWithNullMembersLeftOut() throws Exception {
        String hostile = "quote \" backslash \\ newline \n tab \t bell \u0007 unicode é \u2028";
        TasksProblem problem = TasksProblem.Kind.INVALID_PARAMETER
                .with("bad: " + hostile, "state", hostile, List.of("PENDING", hostile)).at("/actuator/tasks");

        Map<String, Object> read = JsonMapper.builder().build().readValue(problem.toJson(), Map.class);

        assertThat(read).containsEntry("type", "tag:asyncruntime.io,2026:tasks/invalid-parameter")
                .containsEntry("title", "Invalid parameter").containsEntry("status", 400)
                .containsEntry("detail", "bad: " + hostile).containsEntry("instance", "/actuator/tasks")
                .containsEntry("parameter", "state").containsEntry("value", hostile)
                .containsEntry("accepted", List.of("PENDING", hostile));
        Map<String, Object> minimal = JsonMapper.builder().build().readValue(
                TasksProblem.Kind.UNKNOWN_TASK.with("gone").toJson(), Map.class);
        assertThat(minimal).containsOnlyKeys("type", "title", "status", "detail");
    }
}
