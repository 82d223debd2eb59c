package io.asyncruntime.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Task;
import io.asyncruntime.spring.reactor.ReactorAsync;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * A WebFlux application with only {@code spring-boot-starter-webflux} and the starter: the build's
 * {@code webflux-only} execution runs this class with Spring MVC, the Servlet API and Tomcat off the classpath.
 * Its controller is the README's WebFlux example, as written there.
 */
@SpringBootTest(classes = WebFluxOnlyAppHttpTests.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WebFluxOnlyAppHttpTests {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void startsAsAReactiveApplicationWithoutServlets() {
        assertThat(ClassUtils.isPresent("org.springframework.web.servlet.DispatcherServlet", null)).isFalse();
        assertThat(ClassUtils.isPresent("jakarta.servlet.Servlet", null)).isFalse();
        assertThat(context).isInstanceOf(ReactiveWebServerApplicationContext.class);
    }

    @Test
    void aControllerReturnsATaskThatAwaitsAMono() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://localhost:" + port + "/quotes/ACME")).timeout(BOUND).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"symbol\":\"ACME\",\"price\":42.5}");
    }

    @Test
    void aRequestBodyIsATask() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest
                .newBuilder(URI.create("http://localhost:" + port + "/notes")).timeout(BOUND)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("buy milk")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("noted: buy milk");
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({ QuoteController.class, QuoteClient.class })
    static class App {
    }

    record Quote(String symbol, double price) {
    }

    /* Stands for a reactive client (WebClient, R2DBC, ...): a Mono that completes on another thread. */
    @Component
    static class QuoteClient {
        Mono<Quote> fetch(String symbol) {
            return Mono.delay(Duration.ofMillis(20)).map(tick -> new Quote(symbol, 42.5));
        }
    }

    @RestController
    static class QuoteController {
        private final AsyncRuntime runtime;
        private final QuoteClient quotes;

        QuoteController(AsyncRuntime runtime, QuoteClient quotes) {
            this.runtime = runtime;
            this.quotes = quotes;
        }

        @GetMapping("/quotes/{symbol}")
        Task<Quote> quote(@PathVariable String symbol) {
            return runtime.createTask(() -> {
                Quote quote = ReactorAsync.await(quotes.fetch(symbol)); // suspends the task, not the loop
                return quote;
            }, "quote-" + symbol);
        }

        // The body is read by a task of the runtime (named from-publisher).
        @PostMapping("/notes")
        Task<String> note(@RequestBody Task<String> body) {
            return runtime.createTask(() -> "noted: " + body.await(), "note");
        }
    }
}
