package dev.cordon.schemas.contract;

import org.junit.jupiter.api.Tag;

/**
 * {@link SchemaRegistryContract} against a real third-party implementation of the Confluent API:
 * Apicurio Registry 2.6.13.Final ({@code /apis/ccompat/v7}), started from its Maven artifact on loopback
 * (see {@link ApicurioRegistryProcess}). Its default compatibility is {@code NONE}; the suite sets
 * {@code BACKWARD} first.
 *
 * <p>Known difference, measured here: a subject-level {@code NONE} does not override a global level in
 * Apicurio 2.6 (it removes the subject's rule); the suite uses {@code FORWARD} for its subject-level check.
 */
@Tag("integration")
class ApicurioRegistryContractTest extends SchemaRegistryContract {
    private ApicurioRegistryProcess apicurio;

    @Override
    protected void startRegistry() {
        apicurio = ApicurioRegistryProcess.start();
    }

    @Override
    protected String registryUrl() {
        return apicurio.confluentApiUrl();
    }

    @Override
    protected void stopRegistry() {
        if (apicurio != null) {
            apicurio.close();
        }
    }
}
