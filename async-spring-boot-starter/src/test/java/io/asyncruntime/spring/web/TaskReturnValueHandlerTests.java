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
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.DeferredResultProcessingInterceptor;
import org.springframework.web.context.request.async.StandardServletAsyncWebRequest;
import org.springframework.web.context.request.async.WebAsyncManager;
import org.springframework.web.context.request.async.WebAsyncUtils;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * What the Servlet container reports about an async request reaches the task. A container reports an async error
 * (an I/O failure on the connection, say) on its own schedule, so the error is raised here by hand, where it is
 * exact; so is the order of a timeout's two answers (Spring's, the task's). The timeout itself is tested over a
 * real port in {@link TaskReturnValueHttpTests}.
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

    @Test
    void aTimedOutRequestIsAnsweredAsATimeoutNotWithTheCancelledErrorItCaused() throws Exception {
        MockHttpServletRequest request = asyncRequest();
        WebAsyncManager manager = WebAsyncUtils.getAsyncManager(request);
        Task<String> task = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "report");
        // Runs after the handler's own timeout callback and before Spring answers the timeout: it lets the loop
        // cancel the task and report it first, the order that once answered with the CancelledError (a 500).
        manager.registerDeferredResultInterceptor("wait-for-the-cancel", new DeferredResultProcessingInterceptor() {
            @Override
            public <T> boolean handleTimeout(NativeWebRequest req, DeferredResult<T> result) throws Exception {
                awaitDone(task);
                return true;
            }
        });
        handle(task, request);

        asyncWebRequest(request).onTimeout(new AsyncEvent(request.getAsyncContext()));

        assertThat(task.cancelled()).isTrue();
        assertThat(manager.getConcurrentResult()).isInstanceOf(AsyncRequestTimeoutException.class);
    }

    /* A handler method has returned a pending task, then the container reports an async error. */
    private Task<String> failRequestWith(Throwable error) throws Exception {
        MockHttpServletRequest request = asyncRequest();
        Task<String> task = runtime.createTask(() -> Async.sleep(Duration.ofHours(1), "never"), "report");
        handle(task, request);

        asyncWebRequest(request).onError(new AsyncEvent(request.getAsyncContext(), error));
        return task;
    }

    private static MockHttpServletRequest asyncRequest() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/report");
        request.setAsyncSupported(true);
        WebAsyncUtils.getAsyncManager(request)
                .setAsyncWebRequest(new StandardServletAsyncWebRequest(request, new MockHttpServletResponse()));
        return request;
    }

    private static StandardServletAsyncWebRequest asyncWebRequest(MockHttpServletRequest request) {
        return (StandardServletAsyncWebRequest) WebAsyncUtils.getAsyncManager(request).getAsyncWebRequest();
    }

    private static void handle(Task<String> task, MockHttpServletRequest request) throws Exception {
        new TaskReturnValueHandler().handleReturnValue(task, returnType(), new ModelAndViewContainer(),
                new ServletWebRequest(request, new MockHttpServletResponse()));
    }

    private static MethodParameter returnType() throws NoSuchMethodException {
        return new MethodParameter(TaskReturnValueHandlerTests.class.getDeclaredMethod("handlerMethod"), -1);
    }

    Task<String> handlerMethod() {
        throw new UnsupportedOperationException("only its return type is used");
    }
}
