package dev.cordon.ingest.internal;

/**
 * One reason a request was refused, as sent in the error body
 * ({@code {"error": "...", "field": "...", "status": N}}).
 *
 * @param status HTTP status this reason alone calls for (400, 401, 404, 409, 422, 503)
 * @param field  JSON path of the offending field ({@code scope.subjects[0].all[1].values[0]}), {@code $} for the
 *               whole document, or {@code null} when no field is concerned
 * @param error  human-readable message naming the field and what would be valid
 */
public record ApiError(int status, String field, String error) {
    /** Shape errors: not JSON, wrong JSON type, unknown field. */
    public static final int BAD_REQUEST = 400;
    /** Semantic errors: well-formed document with values that are not acceptable. */
    public static final int UNPROCESSABLE = 422;
    public static final int UNAUTHORIZED = 401;
    public static final int NOT_FOUND = 404;
    public static final int CONFLICT = 409;
    public static final int UNAVAILABLE = 503;

    /** A field-level error whose message is prefixed with the quoted path, STYLE.md point 11. */
    public static ApiError at(int status, String field, String message) {
        return new ApiError(status, field, "`" + field + "`: " + message);
    }
}
