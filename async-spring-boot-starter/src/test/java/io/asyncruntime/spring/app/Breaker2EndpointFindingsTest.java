package io.asyncruntime.spring.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.asyncruntime.Async;
import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Future;
import io.asyncruntime.Task;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Defects found by the second breaker session in the tasks endpoint (written against 1585592), over a real port
 * with the secure defaults (every endpoint exposed, no Spring Security, no tasks property: show-values never for
 * an anonymous reader).
 */
@SpringBootTest(classes = Breaker2EndpointFindingsTest.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=*")
class Breaker2EndpointFindingsTest {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    private final HttpClient client = HttpClient.newHttpClient();

    /*
     * A task awaits a plain future; the future is completed with a secret (or failed with one) and the loop is
     * busy before the task's wake-up runs (here: a callback holding the loop; in life any moment between the two).
     * An anonymous reader then sees the value in the text tree ("awaiting <Future finished result=...>") and in
     * the JSON list's "awaiting" field, though show-values hides it everywhere else. Expected: neither shows it.
     */
    @Test
    void anAnonymousReaderNeverSeesTheValueAFinishedFutureHolds() throws Exception {
        Future<String> secret = runtime.run(() -> Async.getRunningLoop().createFuture());
        Future<String> failing = runtime.run(() -> Async.getRunningLoop().createFuture());
        Task<String> holder = runtime.createTask(secret::await, "holder");
        Task<String> holder2 = runtime.createTask(failing::await, "holder2");
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        runtime.loop().callSoonThreadsafe(() -> {
            secret.setResult("s3cret-token");
            failing.setException(new IllegalStateException("password=hunter2"));
            held.countDown();
            try {
                release.await(20, TimeUnit.SECONDS); // the loop is busy: the holders' wake-ups wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(held.await(20, TimeUnit.SECONDS)).isTrue();
            HttpResponse<String> tree = client.send(HttpRequest.newBuilder(url("/actuator/tasks"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> json = client.send(HttpRequest.newBuilder(url("/actuator/tasks?name=holder"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(tree.statusCode()).isEqualTo(200);
            assertThat(tree.body()).as("text tree").contains("(T) holder [id=" + holder.getId())
                    .doesNotContain("s3cret-token", "hunter2");
            assertThat(json.body()).as("JSON list").contains("\"name\":\"holder\"")
                    .doesNotContain("s3cret-token", "hunter2");
        } finally {
            release.countDown();
            runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
            assertThat(holder.done() && holder2.done()).isTrue();
            holder2.exception(); // retrieved: the provoked failure is not logged as never retrieved
        }
    }

    /*
     * GET /actuator/tasks with Accept: text/plain and limit=1 is meant to be cheap, but LoopTree walks every
     * path of every task's awaited-by graph: 58 pending tasks arranged as a ladder of diamonds (two tasks await
     * a task, a third gathers both) take seconds, and each rung doubles it (25 rungs: minutes of a web thread at
     * 100% CPU). Any anonymous reader can trigger it. Expected: well under a second.
     */
    @Test
    void theTextTreeWithLimitOneIsCheapWhateverTheShapeOfTheAwaitGraph() throws Exception {
        Future<String> gate = runtime.run(() -> Async.getRunningLoop().createFuture());
        List<Task<?>> all = new ArrayList<>();
        Task<?> prev = runtime.createTask(gate::await, "n0");
        all.add(prev);
        for (int i = 1; i <= 19; i++) {
            Task<?> p = prev;
            Task<?> x = runtime.createTask(p::await, "a" + i);
            Task<?> y = runtime.createTask(p::await, "b" + i);
            prev = runtime.createTask(() -> Async.gather(x, y).await(), "n" + i);
            all.add(x);
            all.add(y);
            all.add(prev);
        }
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> tree = client.send(HttpRequest.newBuilder(url("/actuator/tasks?limit=1"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(tree.statusCode()).isEqualTo(200);
            assertThat(ms).as("text tree, limit=1, of %d pending tasks", all.size()).isLessThan(1_500);
        } finally {
            CompletableFuture<Void> unblocked = new CompletableFuture<>();
            runtime.loop().callSoonThreadsafe(() -> {
                gate.setResult("go");
                unblocked.complete(null);
            });
            unblocked.get(20, TimeUnit.SECONDS);
            runtime.run(() -> Async.sleep(Duration.ofMillis(20), null));
        }
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
