package dev.cordon.ingest.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ISO 3166-1 alpha-2 country codes for the country attributes of DESIGN.md "Coverage"
 * ({@code nationality}, {@code residenceCountry}, {@code locationCountry}).
 *
 * <p>The list is the JDK's {@link Locale#getISOCountries(Locale.IsoCountryCode)} with
 * {@link Locale.IsoCountryCode#PART1_ALPHA2}: the <em>officially assigned</em> alpha-2 codes of the JDK's
 * ISO 3166 data (249 codes on JDK 17). It therefore refuses:
 * <ul>
 *   <li>exceptionally reserved codes such as {@code UK} (use {@code GB}) and {@code EL} (use {@code GR});</li>
 *   <li>user-assigned codes such as {@code XK} (Kosovo, which ISO has not assigned); a deployment that needs
 *       it must use a free attribute ({@code attr.<name>});</li>
 *   <li>withdrawn codes such as {@code AN}, {@code CS}, {@code YU}.</li>
 * </ul>
 * The list follows the JDK's updates (a JDK upgrade can add a newly assigned code).
 */
public final class Countries {
    private static final Set<String> ASSIGNED = Set.copyOf(Locale.getISOCountries(Locale.IsoCountryCode.PART1_ALPHA2));
    /** Codes people commonly write that ISO reserves for another use, and the assigned code they mean. */
    private static final Map<String, String> RESERVED_HINTS = Map.of("UK", "GB", "EL", "GR");
    /** Alpha-3 code and upper-case English short name to alpha-2, for "did you mean" hints only. */
    private static final Map<String, String> HINTS = buildHints();

    private Countries() {
    }

    /**
     * @param upperCaseCode a code already upper-cased ({@link Locale#ROOT})
     * @return whether it is an officially assigned ISO 3166-1 alpha-2 code
     */
    public static boolean isAssigned(String upperCaseCode) {
        return ASSIGNED.contains(upperCaseCode);
    }

    /**
     * @param value what the user wrote (any case)
     * @return the assigned alpha-2 code the user most likely meant ({@code UK} → {@code GB}, {@code EL} →
     *         {@code GR}, {@code DEU} → {@code DE}, {@code Germany} → {@code DE}), or empty
     */
    public static Optional<String> suggestion(String value) {
        String key = value.trim().toUpperCase(Locale.ROOT);
        String reserved = RESERVED_HINTS.get(key);
        return Optional.ofNullable(reserved != null ? reserved : HINTS.get(key));
    }

    private static Map<String, String> buildHints() {
        Map<String, String> hints = new HashMap<>();
        for (String code : ASSIGNED) {
            Locale locale = new Locale("", code);
            try {
                hints.put(locale.getISO3Country(), code);
            } catch (java.util.MissingResourceException noAlpha3) {
                // no alpha-3 known to this JDK: no hint
            }
            hints.put(locale.getDisplayCountry(Locale.ENGLISH).toUpperCase(Locale.ROOT), code);
        }
        return Map.copyOf(hints);
    }
}
