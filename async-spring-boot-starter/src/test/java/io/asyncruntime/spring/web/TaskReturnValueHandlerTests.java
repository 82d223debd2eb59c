package io.asyncruntime.spring.web;

import static io.asyncruntime.spring.TaskOutcomes.awaitDone;
import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import jakarta.servlet.AsyncEvent;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.MethodParameter;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.async.StandardServletAsyncWebRequest;
import org.springframework.web.context.request.async.WebAsyncUtils;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * What the Servlet container reports about an async request reaches the task. A container reports an async error
 * (an I/O failure on the connection, say) on its own schedule, so the error is raised here by hand, where it is
 * exact; the timeout is tested over a real port in {@link TaskReturnValueHttpTests}.
 */
class TaskReturnValueHandlerTests {
    private final AsyncRuntime runtime = AsyncRuntime.start("handler-tests");

    @AfterEach
    void close() {
        runtime.close();
    }

    @Test
    void aConnectionTheContainerFindsBrokenCancelsTheTaskSayingTheClientLeft() throws Exception {
        Task<String> task = failRequestWith(new IOException("connection reset"));

        assertThat(awaitDone(task).cancelled()).isTrue();
        assertThat(task.cancelMessage()).hasValue("the client disconnected before the task finished"
                + " (the Servlet container reported java.io.IOException: connection reset)");
    }

    @Test
    void aRequestThatFailsOtherwiseCancelsTheTaskWithTheError() throws Exception {
        Task<String> task = failRequestWith(new IllegalStateException("container gave up"));

        assertThat(awaitDone(task).cancelled()).isTrue();
        assertThat(task.cancelMessage()).hasValue(
                "the HTTP request failed before the task finished: java.lang.IllegalStateException: container gave up");
    }

    /* A handler method has returned a pending task, then the container reports an async error. */
    private Task<String> failRequestWith(Throwable error) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/report");
        request.setAsyncSupported(true);
        MockHttpServletResponse response = new MockHttpServletResponse();
        StandardServletAsyncWebRequest asyncRequest = new StandardServletAsyncWebRequest(request, response);
        WebAsyncUtils.getAsyncManager(request).setAsyncWebRequest(asyncRequest);
        Task<String> task = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "report");

        new TaskReturnValueHandler().handleReturnValue(task, returnType(), new ModelAndViewContainer(),
                new ServletWebRequest(request, response));
        asyncRequest.onError(new AsyncEvent(request.getAsyncContext(), error));
        return task;
    }

    private static MethodParameter returnType() throws NoSuchMethodException {
        return new MethodParameter(TaskReturnValueHandlerTests.class.getDeclaredMethod("handlerMethod"), -1);
    }

    Task<String> handlerMethod() {
        throw new UnsupportedOperationException("only its return type is used");
    }
}
