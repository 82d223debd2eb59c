package io.asyncruntime.spring.actuate;

import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.boot.actuate.endpoint.Show;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What the {@code tasks} endpoint reveals, under the endpoint's own prefix as Boot's {@code env} and
 * {@code configprops} endpoints do ({@code management.endpoint.env.show-values}). Who may call it at all is
 * Boot's {@code management.endpoint.tasks.access}, read by Actuator itself.
 *
 * <p>Threading: bound once at start-up; read-only afterwards.
 */
@ConfigurationProperties("management.endpoint.tasks")
public class TasksEndpointProperties {

    /**
     * When to show values that can reveal internals: task stacks and call graphs, exception messages, cancel
     * messages and creation sites. Exception class names are always shown.
     */
    private Show showValues = Show.NEVER;

    /**
     * Roles used to determine whether a user is authorized to be shown those values when show-values is
     * when-authorized. When empty, all authenticated users are authorized.
     */
    private Set<String> roles = new LinkedHashSet<>();

    public Show getShowValues() {
        return showValues;
    }

    public void setShowValues(Show showValues) {
        this.showValues = showValues;
    }

    public Set<String> getRoles() {
        return roles;
    }

    public void setRoles(Set<String> roles) {
        this.roles = roles;
    }
}
