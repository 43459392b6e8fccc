package dev.cordon.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class CountriesTest {
    @Test
    void shouldUseTheJdkListOfOfficiallyAssignedCodes() {
        // Given the JDK's ISO 3166-1 alpha-2 data, Then it holds the officially assigned codes only
        assertThat(Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA2)).hasSizeGreaterThanOrEqualTo(249);
        assertThat(Countries.isAssigned("GB")).isTrue();
        assertThat(Countries.isAssigned("GR")).isTrue();
        assertThat(Countries.isAssigned("SS")).isTrue();
        assertThat(Countries.isAssigned("US")).isTrue();
    }

    @Test
    void shouldNotContainReservedUserAssignedOrWithdrawnCodes() {
        assertThat(Countries.isAssigned("UK")).as("exceptionally reserved").isFalse();
        assertThat(Countries.isAssigned("EL")).as("exceptionally reserved").isFalse();
        assertThat(Countries.isAssigned("XK")).as("user-assigned (Kosovo)").isFalse();
        assertThat(Countries.isAssigned("EU")).as("exceptionally reserved").isFalse();
        assertThat(Countries.isAssigned("YU")).as("withdrawn").isFalse();
        assertThat(Countries.isAssigned("AN")).as("withdrawn").isFalse();
    }

    @Test
    void shouldSuggestTheCodeThatWasMeant() {
        assertThat(Countries.suggestion("uk")).contains("GB");
        assertThat(Countries.suggestion("EL")).contains("GR");
        assertThat(Countries.suggestion("fra")).contains("FR");
        assertThat(Countries.suggestion("Germany")).contains("DE");
        assertThat(Countries.suggestion("QQ")).isEmpty();
    }
}
