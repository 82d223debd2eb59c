package io.asyncruntime.spring.actuate;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.util.MimeType;

/**
 * An RFC 9457 problem detail, the body of every 4xx the {@code tasks} endpoint answers: {@code type},
 * {@code title}, {@code status} and {@code detail} as the RFC defines them, plus the extension members
 * {@code parameter} (the query, path or body parameter that was wrong), {@code value} (what was sent) and
 * {@code accepted} (the values or range it takes), so that a client can act on it without reading logs.
 *
 * <p>The {@code type} URIs are {@code tag:} URIs (RFC 4151), as RFC 9457 section 3.1.1 suggests for types that
 * are not meant to be dereferenced; the README lists them.
 *
 * <p>Threading: immutable.
 */
public record TasksProblem(String type, String title, int status, String detail, @Nullable String instance,
        @Nullable String parameter, @Nullable String value, @Nullable List<String> accepted)
        implements OperationResponseBody {

    /** The media type of a problem detail in JSON (RFC 9457 section 3). */
    public static final MimeType MEDIA_TYPE = MimeType.valueOf("application/problem+json");

    /** The kinds of problem, each with its {@code type} URI, title and status. */
    public enum Kind {
        /** A query, path or body parameter that is malformed or out of range (400). */
        INVALID_PARAMETER("invalid-parameter", "Invalid parameter", 400),
        /** No pending task, and none in the finished history, has this id (404). */
        UNKNOWN_TASK("unknown-task", "Unknown task", 404),
        /** No operation of the endpoint answers this path (404). */
        NO_SUCH_OPERATION("no-such-operation", "No such operation", 404),
        /** The request body is not a JSON object of simple values (400). */
        UNREADABLE_BODY("unreadable-body", "Unreadable request body", 400),
        /** The request body's content type is not JSON (415). */
        UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported content type", 415),
        /** The endpoint does not answer this method on this path (405). */
        METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed", 405),
        /** Cancel is a write operation, closed by the endpoint's access (405: Actuator does not map it). */
        CANCEL_NOT_PERMITTED("cancel-not-permitted", "Cancel is not permitted", 405),
        /** The client accepts no media type the endpoint produces (406). */
        NOT_ACCEPTABLE("not-acceptable", "Not acceptable", 406);

        private static final String PREFIX = "tag:asyncruntime.io,2026:tasks/";

        private final String slug;
        private final String title;
        private final int status;

        Kind(String slug, String title, int status) {
            this.slug = slug;
            this.title = title;
            this.status = status;
        }

        /** Returns the {@code type} URI of this kind. */
        public String type() {
            return PREFIX + slug;
        }

        /** Returns the HTTP status of this kind. */
        public int status() {
            return status;
        }

        /** Returns a problem of this kind with {@code detail} and nothing else. */
        public TasksProblem with(String detail) {
            return new TasksProblem(type(), title, status, detail, null, null, null, null);
        }

        /** Returns a problem of this kind about {@code parameter}, sent as {@code value}, which takes {@code accepted}. */
        public TasksProblem with(String detail, String parameter, @Nullable String value, List<String> accepted) {
            return new TasksProblem(type(), title, status, detail, null, parameter, value, List.copyOf(accepted));
        }
    }

    /**
     * Returns this problem as a JSON object, null members left out. Written by hand because the resolver that
     * needs it runs where the endpoint's JSON mapper is not at hand, and the starter does not depend on Jackson.
     */
    String toJson() {
        StringBuilder json = new StringBuilder("{");
        member(json, "type", type);
        member(json, "title", title);
        json.append(",\"status\":").append(status);
        member(json, "detail", detail);
        member(json, "instance", instance);
        member(json, "parameter", parameter);
        member(json, "value", value);
        if (accepted != null) {
            json.append(",\"accepted\":[");
            for (int i = 0; i < accepted.size(); i++) {
                json.append(i == 0 ? "" : ",");
                string(json, accepted.get(i));
            }
            json.append(']');
        }
        return json.append('}').toString();
    }

    private static void member(StringBuilder json, String name, @Nullable String text) {
        if (text != null) {
            json.append(json.length() == 1 ? "" : ",").append('"').append(name).append("\":");
            string(json, text);
        }
    }

    private static void string(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** Returns this problem with {@code instance}, the path of the request it answers. */
    public TasksProblem at(String instance) {
        return new TasksProblem(type, title, status, detail, instance, parameter, value, accepted);
    }
}
