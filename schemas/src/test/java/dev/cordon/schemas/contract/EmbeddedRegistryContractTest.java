package dev.cordon.schemas.contract;

import dev.cordon.schemas.registry.server.EmbeddedSchemaRegistry;
import org.junit.jupiter.api.Tag;

/** {@link SchemaRegistryContract} against Cordon's own in-process registry (the demo's and the tests'). */
@Tag("integration")
class EmbeddedRegistryContractTest extends SchemaRegistryContract {
    private EmbeddedSchemaRegistry registry;

    @Override
    protected void startRegistry() {
        registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0);
    }

    @Override
    protected String registryUrl() {
        return registry.url();
    }

    @Override
    protected void stopRegistry() {
        if (registry != null) {
            registry.close();
        }
    }
}
