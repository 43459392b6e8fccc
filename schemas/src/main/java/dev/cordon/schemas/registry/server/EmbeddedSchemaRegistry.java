package dev.cordon.schemas.registry.server;

/**
 * PLACEHOLDER — being implemented: an in-process, in-memory server of the Confluent Schema
 * Registry REST subset Cordon's client uses, on the JDK HTTP server.
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {
    private EmbeddedSchemaRegistry() {
    }

    /**
     * Starts a registry bound to {@code host} on {@code port} (0 = ephemeral).
     *
     * @return the running registry
     */
    public static EmbeddedSchemaRegistry start(String host, int port) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** @return base URL, e.g. {@code http://127.0.0.1:40123} */
    public String url() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public void close() {
    }
}
