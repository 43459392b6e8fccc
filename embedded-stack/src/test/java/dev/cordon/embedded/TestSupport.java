package dev.cordon.embedded;

import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;

/** Helpers shared by the integration tests. */
final class TestSupport {
    private TestSupport() {
    }

    /** @return whether the schemas jar on the class path has a working embedded registry (not the placeholder) */
    static boolean registryAvailable() {
        try (EmbeddedSchemaRegistry r = EmbeddedSchemaRegistry.start("127.0.0.1", 0)) {
            return r.url() != null;
        } catch (UnsupportedOperationException placeholder) {
            return false;
        }
    }
}
