package dev.cordon.schemas.contract;

import org.junit.jupiter.api.Tag;

/** {@link ConfluentClientInteropContract} on Apicurio Registry 2.6.13 ({@link ApicurioRegistryProcess}). */
@Tag("integration")
class ApicurioConfluentInteropTest extends ConfluentClientInteropContract {
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
