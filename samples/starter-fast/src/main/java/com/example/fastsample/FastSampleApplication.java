package com.example.fastsample;

import io.asyncruntime.AsyncRuntime;
import io.asyncruntime.Async;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with the asyncruntime starter alone and the README's pom snippet: it runs one task
 * on the auto-configured loop, prints the engine mode and exits. Built and run, under {@code spring-boot:run}
 * and {@code java -jar}, by {@code samples/src/test/java/.../StarterFastSampleTest.java}.
 *
 * <p>Threading: {@code main} runs on the JVM's main thread; the task runs on the loop.
 */
@SpringBootApplication
public class FastSampleApplication {

    public static void main(String[] args) {
        // A command-line application: closing the context stops the loop, so the JVM exits by itself.
        System.exit(SpringApplication.exit(SpringApplication.run(FastSampleApplication.class, args)));
    }

    @Bean
    CommandLineRunner reportEngineMode(AsyncRuntime runtime) {
        return args -> {
            String greeting = runtime.run(() -> {
                Async.sleep(0.01);
                return "hello from a task";
            }, "greet");
            System.out.println(greeting);
            System.out.println("asyncruntime engine mode: " + runtime.loop().engineMode());
        };
    }
}
