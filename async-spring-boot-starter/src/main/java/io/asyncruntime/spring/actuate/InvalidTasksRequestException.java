package io.asyncruntime.spring.actuate;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

/**
 * A request to the {@code tasks} endpoint that cannot be answered as sent, with the {@link TasksProblem} that says
 * why. Being an {@link InvalidEndpointRequestException}, it reaches JMX callers as Boot's own invalid-request
 * error; the web extension answers it as a problem detail.
 *
 * <p>Threading: immutable.
 */
public class InvalidTasksRequestException extends InvalidEndpointRequestException {
    private final transient TasksProblem problem;

    public InvalidTasksRequestException(TasksProblem problem) {
        super(problem.detail(), problem.detail());
        this.problem = problem;
    }

    /** Returns the problem detail that answers the request. */
    public TasksProblem problem() {
        return problem;
    }
}
