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
 * What an application gets by exposing every endpoint and nothing else (no Spring Security, no tasks property):
 * the tasks can be read but not cancelled, no stack, message, creation site or awaited value is shown to anyone,
 * and the text tree stays cheap for any reader.
 */
@SpringBootTest(classes = TasksEndpointSecureDefaultsHttpTests.App.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "management.endpoints.web.exposure.include=*")
class TasksEndpointSecureDefaultsHttpTests {

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @LocalServerPort
    int port;

    @Autowired
    AsyncRuntime runtime;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void anAnonymousCancelIsRefusedWithTheReasonAndThePropertyThatOpensIt() throws Exception {
        Task<Void> task = sleeper("guarded");
        for (String body : new String[] {null, "{\"msg\":\"stop\"}"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(url("/actuator/tasks/" + task.getId()));
            request.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());

            // Actuator does not map a write operation the access does not allow: 405, explained.
            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(response.body()).contains("\"type\":\"tag:asyncruntime.io,2026:tasks/cancel-not-permitted\"",
                    "management.endpoint.tasks.access=unrestricted", "read-only");
        }
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        assertThat(task.done()).isFalse();
        runtime.cancel(task.getId(), "test over");
    }

    @Test
    void readsStayOpenButShowNoStackMessageOrCreationSite() throws Exception {
        Task<Void> task = sleeper("secretive");
        Task<Void> failing = runtime.createTask(() -> {
            throw new IllegalStateException("password=hunter2");
        }, "failing");
        runtime.cancel(task.getId(), "customer 42 asked");
        runtime.run(() -> Async.sleep(Duration.ofMillis(5), null));
        // Retrieved: the provoked failure is not logged later as never retrieved.
        assertThat(failing.exception()).hasMessage("password=hunter2");
        Task<Void> pending = sleeper("still-here");

        String detail = get("/actuator/tasks/" + pending.getId());
        assertThat(detail).contains("\"name\":\"still-here\"").doesNotContain("\"stack\"", "\"callGraph\"", "\"createdAt\"");
        assertThat(get("/actuator/tasks?name=still-here")).contains("\"name\":\"still-here\"").doesNotContain("createdAt");
        String finished = get("/actuator/tasks/finished");
        assertThat(finished).contains("\"error\":\"java.lang.IllegalStateException\"", "\"state\":\"CANCELLED\"")
                .doesNotContain("hunter2", "customer 42", "createdAt");
        runtime.cancel(pending.getId(), "test over");
    }

    @Test
    void theTextTreeShowsWhoAwaitsWhomButNoCodeLocations() throws Exception {
        Task<Void> child = sleeper("tree-child");
        Task<Void> parent = runtime.createTask(() -> {
            child.await();
            return null;
        }, "tree-parent");
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url("/actuator/tasks"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/plain"));
        assertThat(response.body()).startsWith("EventLoop asyncio-loop: ")
                .contains("── (T) tree-parent [id=" + parent.getId() + ", PENDING]\n"
                        + "    └── (T) tree-child [id=" + child.getId() + ", PENDING] awaiting <Future pending")
                .doesNotContain(" at io.asyncruntime.", "TasksEndpointSecureDefaultsHttpTests.java");
        runtime.cancel(parent.getId(), "test over");
        runtime.cancel(child.getId(), "test over");
    }

    /*
     * show-values hides values from an anonymous reader in the text tree and the JSON list's "awaiting" too: a
     * task awaits a plain future that is completed with a secret (or failed with one) while the loop is busy
     * before the task's wake-up runs (here a callback holds the loop; in life, any moment between the two), and
     * neither view shows the secret.
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
     * GET /actuator/tasks with Accept: text/plain and limit=1, open to any anonymous reader, stays cheap whatever
     * the shape of the await graph: 58 pending tasks as a ladder of diamonds (two tasks await a task, a third
     * gathers both), where the number of awaited-by paths doubles at each rung, answer well under a second and a
     * half.
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

    private Task<Void> sleeper(String name) {
        Task<Void> task = runtime.createTask(() -> {
            Async.sleep(3600);
            return null;
        }, name);
        runtime.run(() -> Async.sleep(Duration.ofMillis(2), null));
        return task;
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private URI url(String path) {
        return URI.create("http://localhost:" + port + path);
    }
}
