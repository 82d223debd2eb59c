package io.asyncruntime.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The Spring Security rule the README's production section offers for pasting is the demo's {@code DemoSecurity},
 * compiled here and exercised by the HTTP tests, so the README cannot drift into code that does not compile.
 */
class ReadmeSecurityRuleTests {

    @Test
    void theReadmesSecurityRuleIsTheDemosCompiledClass() throws Exception {
        String source = Files.readString(Path.of("src/main/java/io/asyncruntime/demo/DemoSecurity.java"));
        String readme = Files.readString(Path.of("../README.md"));
        String classBody = source.substring(source.indexOf("@Configuration(proxyBeanMethods = false)")).strip();

        assertThat(classBody).contains(".hasRole(\"OPERATOR\")");
        assertThat(readme).contains("```java\n" + classBody + "\n```");
    }
}
