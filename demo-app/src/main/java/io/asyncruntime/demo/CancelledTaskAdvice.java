package io.asyncruntime.demo;

import io.asyncruntime.CancelledError;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A request whose task was cancelled while the client waited (say, by an operator through the tasks endpoint)
 * is answered 409 Conflict with the cancel message, instead of the 500 of an unexpected error.
 */
@RestControllerAdvice
public class CancelledTaskAdvice {

    @ExceptionHandler(CancelledError.class)
    ProblemDetail cancelled(CancelledError e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                e.getMessage() == null ? "the task was cancelled" : e.getMessage());
        problem.setTitle("Task cancelled");
        return problem;
    }
}
