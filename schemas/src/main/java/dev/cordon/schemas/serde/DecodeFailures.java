package dev.cordon.schemas.serde;

import dev.cordon.schemas.registry.SchemaRegistryException;

/**
 * Tells a record that cannot be read from a reader that cannot read right now.
 *
 * <p>A record whose bytes are bad (no magic byte, an id the registry does not know, truncated Avro)
 * belongs in dead-letters. A failure of the environment — the registry unreachable or answering
 * 5xx, refusing our credentials, Avro refusing to load a class, a network timeout — says nothing
 * about the record: sending a good record to dead-letters would drop it from enforcement. Such
 * failures must be retried (a stream task fails and is replaced; a consumer does not advance).
 */
public final class DecodeFailures {
    private DecodeFailures() {
    }

    /**
     * @param failure what the deserializer threw
     * @return true when the cause is the environment, not the record (see the class comment)
     */
    public static boolean isEnvironmental(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SchemaRegistryException sre) {
                int status = sre.httpStatus();
                if (status == SchemaRegistryException.UNREACHABLE || status >= 500 || status == 401 || status == 403
                        || status == 429) {
                    return true;
                }
            }
            // network failures only: an EOFException from a truncated payload is the record's fault
            if (c instanceof java.net.SocketException || c instanceof java.net.SocketTimeoutException
                    || c instanceof java.net.UnknownHostException || c instanceof java.net.http.HttpTimeoutException
                    || c instanceof java.net.http.HttpConnectTimeoutException || c instanceof javax.net.ssl.SSLException
                    || c instanceof org.apache.kafka.common.errors.RetriableException
                    || c instanceof SecurityException || c instanceof LinkageError) {
                return true;
            }
        }
        return false;
    }
}
