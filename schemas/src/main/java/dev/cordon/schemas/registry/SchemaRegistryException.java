package dev.cordon.schemas.registry;

/**
 * A Schema Registry request failed: the server answered with an error, or no configured URL
 * could be reached. Carries the HTTP status and the Confluent {@code error_code} from the
 * response body {@code {"error_code": N, "message": "..."}}.
 *
 * <p>Confluent error codes (Schema Registry API reference, "Errors"): 40401 subject not found,
 * 40402 version not found, 40403 schema not found, 40404 subject soft-deleted, 40405 subject not
 * soft-deleted first, 40408 subject has no subject-level compatibility, 409 incompatible schema,
 * 42201 invalid schema, 42202 invalid version, 42203 invalid compatibility level, 401 unauthorised.
 */
public final class SchemaRegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** {@code error_code}: subject not found. */
    public static final int SUBJECT_NOT_FOUND = 40401;
    /** {@code error_code}: version not found. */
    public static final int VERSION_NOT_FOUND = 40402;
    /** {@code error_code}: schema not found (by id, or not registered under the subject). */
    public static final int SCHEMA_NOT_FOUND = 40403;
    /** {@code error_code}: the subject was soft-deleted. */
    public static final int SUBJECT_SOFT_DELETED = 40404;
    /** {@code error_code}: permanent delete of a subject that was not soft-deleted first. */
    public static final int SUBJECT_NOT_SOFT_DELETED = 40405;
    /** {@code error_code}: the subject has no subject-level compatibility configured. */
    public static final int SUBJECT_COMPATIBILITY_NOT_CONFIGURED = 40408;
    /** {@code error_code}: the schema is incompatible with earlier versions (HTTP 409). */
    public static final int INCOMPATIBLE_SCHEMA = 409;
    /** {@code error_code}: invalid schema (HTTP 422). */
    public static final int INVALID_SCHEMA = 42201;
    /** {@code error_code}: invalid version (HTTP 422). */
    public static final int INVALID_VERSION = 42202;
    /** {@code error_code}: invalid compatibility level (HTTP 422). */
    public static final int INVALID_COMPATIBILITY_LEVEL = 42203;
    /** {@code error_code} and HTTP status: credentials missing or wrong. */
    public static final int UNAUTHORIZED = 401;
    /** Pseudo status/code used when no URL answered at all (network failure). */
    public static final int UNREACHABLE = -1;

    private final int httpStatus;
    private final int errorCode;
    private final String baseUrl;

    /**
     * @param message    human-readable message (the server's {@code message}, with context)
     * @param httpStatus HTTP status of the response, or {@link #UNREACHABLE}
     * @param errorCode  Confluent {@code error_code}; the HTTP status when the body had none;
     *                   {@link #UNREACHABLE} when no server answered
     * @param baseUrl    registry base URL that answered (or the list tried)
     * @param cause      underlying failure, may be {@code null}
     */
    public SchemaRegistryException(String message, int httpStatus, int errorCode, String baseUrl, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.baseUrl = baseUrl;
    }

    /** @return HTTP status, or {@link #UNREACHABLE} (-1) when no server answered */
    public int httpStatus() {
        return httpStatus;
    }

    /** @return Confluent {@code error_code} (e.g. 40403), or {@link #UNREACHABLE} */
    public int errorCode() {
        return errorCode;
    }

    /** @return base URL of the registry that answered, or the URLs tried when none did */
    public String baseUrl() {
        return baseUrl;
    }
}
