package io.asyncruntime.spring;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.AsyncContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** The request count behind the graceful-shutdown narration, and when the narration is configured. */
class InFlightRequestsTests {
    private final InFlightRequests requests = new InFlightRequests();

    @Test
    void aRequestCountsWhileItRuns() throws Exception {
        AtomicInteger during = new AtomicInteger();
        requests.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(), (req, res) -> during.set(requests.count()));
        assertThat(during).hasValue(1);
        assertThat(requests.count()).isZero();
    }

    @Test
    void anAsynchronousRequestCountsUntilItCompletes() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setAsyncSupported(true);
        AsyncContext[] async = new AsyncContext[1];
        requests.doFilter(request, new MockHttpServletResponse(), (req, res) -> async[0] = req.startAsync());
        assertThat(requests.count()).isEqualTo(1);
        async[0].complete();
        assertThat(requests.count()).isZero();
    }

    @Test
    void aFailingRequestIsNotCountedForever() {
        try {
            requests.doFilter(new MockHttpServletRequest(), new MockHttpServletResponse(), (req, res) -> {
                throw new IllegalStateException("controller bug");
            });
        } catch (Exception expected) {
            assertThat(expected).hasMessage("controller bug");
        }
        assertThat(requests.count()).isZero();
    }

    @Test
    void theNarrationIsConfiguredForAServletServerThatShutsDownGracefully() {
        WebApplicationContextRunner web = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class));
        web.run(context -> assertThat(context).hasSingleBean(GracefulShutdownNarrator.class).hasSingleBean(InFlightRequests.class));
        web.withPropertyValues("server.shutdown=immediate")
                .run(context -> assertThat(context).doesNotHaveBean(GracefulShutdownNarrator.class));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AsyncRuntimeAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(GracefulShutdownNarrator.class)
                        .hasSingleBean(AsyncRuntimeLifecycle.class));
    }
}
