package io.asyncruntime.spring.web;

import io.asyncruntime.EventLoop;
import io.asyncruntime.Task;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncUtils;
import org.springframework.web.method.support.AsyncHandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Lets a Spring MVC handler method return a {@link Task}: the request is processed asynchronously and answered
 * with the task's result when it is done, exactly as Spring MVC answers a returned {@code CompletableFuture}.
 * The result then goes through the usual handling ({@code @ResponseBody} conversion, {@code ResponseEntity}, …);
 * a failed task's exception, or the {@code CancelledError} of a cancelled one, goes to the exception resolvers.
 *
 * <p>A request that ends before its task cancels the task with a message saying why: when the MVC async request
 * times out ({@code spring.mvc.async.request-timeout}; the client gets Spring's 503) or fails (a client whose
 * connection broke, when the container reports it as an I/O error). The Servlet API gives no signal for a client
 * that simply goes away (Tomcat says nothing until it writes the response), so such a task runs on until it is
 * done or the request times out (visible and cancellable in the {@code tasks} endpoint meanwhile). A request that
 * ended first is answered as Spring answers it (a timeout, the error), never with the {@code CancelledError} its
 * ending caused.
 *
 * <p>Threading: {@code handleReturnValue} runs on the servlet thread; it registers the completion callback on
 * the task's loop through {@link EventLoop#callSoonThreadsafe}, and the callback completes the
 * {@link DeferredResult}, which is thread-safe, on the loop thread.
 */
public final class TaskReturnValueHandler implements AsyncHandlerMethodReturnValueHandler {

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return Task.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public boolean isAsyncReturnValue(@Nullable Object returnValue, MethodParameter returnType) {
        return returnValue instanceof Task<?>;
    }

    @Override
    public void handleReturnValue(@Nullable Object returnValue, MethodParameter returnType,
            ModelAndViewContainer mavContainer, NativeWebRequest webRequest) throws Exception {
        if (returnValue == null) {
            mavContainer.setRequestHandled(true);
            return;
        }
        RequestTask request = new RequestTask((Task<?>) returnValue);
        request.deferred.onTimeout(() -> request.endEarly("the HTTP request timed out before the task finished"
                + " (spring.mvc.async.request-timeout)"));
        request.deferred.onError(error -> request.endEarly(whyFailed(error)));
        request.completeWhenDone();
        WebAsyncUtils.getAsyncManager(webRequest).startDeferredResultProcessing(request.deferred, mavContainer);
    }

    /* Spring MVC reports the container's I/O error as AsyncRequestNotUsableException: the client went away, and
       for once the container noticed (when it does not, nothing is reported at all: see the class comment). */
    private static String whyFailed(Throwable error) {
        if (error instanceof AsyncRequestNotUsableException && error.getCause() != null) {
            return "the client disconnected before the task finished (the Servlet container reported "
                    + error.getCause() + ")";
        }
        return "the HTTP request failed before the task finished: " + error;
    }

    /*
     * One request and the task it answers with. The request may end first (timeout, error): Spring then answers it
     * itself (503 for a timeout, the error otherwise), and the CancelledError that ending it causes must not race
     * that answer to the DeferredResult, so a task done after the request ended is not reported.
     */
    private static final class RequestTask {
        final Task<?> task;
        final DeferredResult<Object> deferred = new DeferredResult<>();
        /* Threading: set on the container's thread (timeout, error), read on the loop thread. */
        private volatile boolean requestEnded;

        RequestTask(Task<?> task) {
            this.task = task;
        }

        void completeWhenDone() {
            if (task.done()) {
                complete(task);
                return;
            }
            try {
                task.getLoop().callSoonThreadsafe(() -> task.addDoneCallback(this::complete));
            } catch (RuntimeException loopClosed) {
                // The task can no longer finish: answer with why instead of leaving the request to time out.
                deferred.setErrorResult(loopClosed);
            }
        }

        /* From the servlet container's thread: the cancel itself happens on the loop. */
        void endEarly(String why) {
            requestEnded = true; // before the cancel is handed over, so the loop sees it when the task is done
            if (task.done()) {
                return;
            }
            try {
                task.getLoop().callSoonThreadsafe(() -> task.cancel(why));
            } catch (RuntimeException loopClosed) {
                // closing the loop abandons the task anyway
            }
        }

        private void complete(io.asyncruntime.Future<?> done) {
            if (requestEnded) {
                return;
            }
            Object result;
            try {
                result = done.result();
            } catch (Throwable failureOrCancellation) {
                deferred.setErrorResult(failureOrCancellation);
                return;
            }
            // DeferredResult treats a null result as "no value" only through setResult; an empty body is what
            // Spring answers for a CompletableFuture completed with null as well.
            deferred.setResult(result);
        }
    }
}
