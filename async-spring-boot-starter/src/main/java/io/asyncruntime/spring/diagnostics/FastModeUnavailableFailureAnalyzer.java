package io.asyncruntime.spring.diagnostics;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link FastModeUnavailableException} as Boot's "APPLICATION FAILED TO START" screen, with the exact
 * JVM flag FAST needs and where it goes for each way of starting the application.
 *
 * <p>Threading: stateless; instantiated by Spring Boot from {@code META-INF/spring.factories}.
 */
public class FastModeUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<FastModeUnavailableException> {
    /** The JVM flag the FAST engine needs (the same as {@code EngineMode.FAST} documents). */
    public static final String FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, FastModeUnavailableException cause) {
        String description = "async.runtime.mode=fast asks for the FAST engine, but this JVM does not allow it: "
                + cause.getReason() + ".";
        String action;
        if (cause.getReason().contains(FLAG)) {
            action = "Start the JVM with " + FLAG + ":\n"
                    + "    mvn spring-boot:run  in the pom, spring-boot-maven-plugin <configuration>: "
                    + "<jvmArguments>" + FLAG + "</jvmArguments>\n"
                    + "    java -jar app.jar    in the jar's manifest (maven-jar-plugin <archive><manifestEntries>): "
                    + "<Add-Opens>java.base/java.lang</Add-Opens>, or: java " + FLAG + " -jar app.jar\n"
                    + "    a container          the environment variable JAVA_TOOL_OPTIONS=\"" + FLAG + "\"\n"
                    + "    tests                maven-surefire-plugin <argLine>" + FLAG + "</argLine>\n"
                    + "or remove async.runtime.mode (or set it to portable) to run the PORTABLE engine, which needs no flag.";
        } else {
            // The flag would not help here (another JDK, or a system property asking for PORTABLE).
            action = "Remove async.runtime.mode (or set it to portable) to run the PORTABLE engine, which needs no flag, "
                    + "or remove the cause named above.";
        }
        return new FailureAnalysis(description, action, cause);
    }
}
