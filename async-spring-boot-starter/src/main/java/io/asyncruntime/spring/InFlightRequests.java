package io.asyncruntime.spring;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the servlet requests in flight, so that {@link GracefulShutdownNarrator} can say how many the web
 * server's graceful shutdown waits for. A request that goes asynchronous (a controller returning a task) counts
 * until its asynchronous processing completes.
 *
 * <p>Threading: any request thread; {@link #count()} from any thread.
 */
public class InFlightRequests implements Filter {
    private final AtomicInteger inFlight = new AtomicInteger();

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        inFlight.incrementAndGet();
        boolean async = false;
        try {
            chain.doFilter(request, response);
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new Done());
                async = true;
            }
        } finally {
            if (!async) {
                inFlight.decrementAndGet();
            }
        }
    }

    /** Returns how many requests are in flight now. */
    public int count() {
        return inFlight.get();
    }

    /* onComplete follows onTimeout and onError too; the flag guards against a container calling twice. */
    private final class Done implements AsyncListener {
        private final AtomicBoolean counted = new AtomicBoolean();

        @Override
        public void onComplete(AsyncEvent event) {
            if (counted.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // A new asynchronous cycle re-registers listeners only if asked to: keep this one.
            event.getAsyncContext().addListener(this);
        }
    }
}
