package dev.cordon.ingest.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * An HTTP answer decided by {@link Workflow}: status, JSON body and extra headers.
 *
 * @param status  HTTP status
 * @param body    JSON body
 * @param headers extra response headers (e.g. {@code Location})
 */
public record Answer(int status, ObjectNode body, Map<String, String> headers) {
    public Answer {
        headers = Map.copyOf(headers);
    }
}
