package io.asyncruntime.demo;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Reads are open to everyone; cancelling a task (the tasks endpoint's write operation, opened by
 * {@code management.endpoint.tasks.access=unrestricted}) needs HTTP basic credentials of a user with the
 * {@code OPERATOR} role, the demo user of {@code application.yml}. The README's production section shows this
 * bean as the rule to copy.
 */
@Configuration(proxyBeanMethods = false)
public class DemoSecurity {

    @Bean
    SecurityFilterChain demoSecurityFilterChain(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                        // Cancel: POST /actuator/tasks/{id}, for operators only.
                        .requestMatchers(HttpMethod.POST, "/actuator/tasks/**").hasRole("OPERATOR")
                        .anyRequest().permitAll())
                .httpBasic(Customizer.withDefaults())
                // A stateless JSON API called with curl: no session, no browser form, so no CSRF token to check.
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        return http.build();
    }
}
