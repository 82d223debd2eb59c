package io.asyncruntime.spring.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.CancelledError;
import io.asyncruntime.Task;
import io.asyncruntime.spring.AsyncRuntimeLifecycle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A web application on a real port shut down while tasks still run: they are cancelled with the shutdown
 * message, the log names them, and the loop is closed.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void shuttingDownCancelsAndReportsTheTasksStillRunning(CapturedOutput output) throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .properties("server.port=0", "management.endpoints.web.exposure.include=tasks",
                        "async.runtime.loop-name=closing-web", "async.runtime.shutdown-timeout=5s")
                .run();
        AsyncRuntime runtime = context.getBean(AsyncRuntime.class);
        Task<Void> nightly = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, "nightly-export");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpResponse<String> listed = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/tasks?name=nightly")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).contains("\"name\":\"nightly-export\"");

        context.close();

        assertThat(nightly.cancelled()).isTrue();
        assertThatThrownBy(nightly::result).isInstanceOf(CancelledError.class).hasMessage(AsyncRuntimeLifecycle.CANCEL_MESSAGE);
        assertThat(runtime.isClosed()).isTrue();
        assertThat(output.getAll()).contains("Event loop 'closing-web' cancelling 1 task(s) still running: nightly-export (id "
                + nightly.getId() + ")").doesNotContain("abandoned");
    }
}
