package dev.cordon.ingest.internal;

import java.util.List;
import java.util.Map;

/**
 * A request refused with one or more {@link ApiError}s; nothing was published for it. The HTTP status is
 * the lowest-numbered one among the errors, so a document with both shape (400) and semantic (422) errors
 * answers 400.
 */
public final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient List<ApiError> errors;
    private final transient Map<String, String> headers;

    public RefusedException(List<ApiError> errors) {
        this(errors, Map.of());
    }

    public RefusedException(List<ApiError> errors, Map<String, String> headers) {
        super(errors.isEmpty() ? "refused" : errors.get(0).error());
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("at least one error");
        }
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    public RefusedException(ApiError error) {
        this(List.of(error));
    }

    /** @return the errors, in the order found (document order for validation errors) */
    public List<ApiError> errors() {
        return errors;
    }

    /** @return extra response headers, e.g. {@code WWW-Authenticate} */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return the HTTP status: the lowest of the errors' statuses */
    public int status() {
        return errors.stream().mapToInt(ApiError::status).min().orElseThrow();
    }
}
