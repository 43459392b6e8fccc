package dev.cordon.cli.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic sessions for the demo, reproducible from a seed: four models, nationalities drawn from a
 * weighted spread of ISO 3166-1 countries (about 60% US, a few dual nationals), roles customer /
 * employee / contractor. Produces the JSON form of DESIGN.md "Session event".
 */
public final class DemoWorkload {
    /** The restricted models and two others that the order does not touch. */
    public static final List<String> RESOURCES = List.of("fable-5", "mythos-5", "haiku-4", "sonnet-4");
    private static final int[] RESOURCE_WEIGHTS = {30, 25, 25, 20};

    private static final String[] COUNTRIES = {"US", "IN", "CN", "GB", "DE", "CA", "FR", "JP", "BR", "KR", "MX", "NG", "IL",
            "AU", "ES", "IT", "NL", "PL", "VN", "PH", "SG", "AE", "SE", "IE"};
    private static final int[] COUNTRY_WEIGHTS = {600, 60, 45, 40, 30, 30, 20, 20, 20, 18, 18, 12, 10, 10, 10, 10, 8, 8, 8, 8,
            5, 5, 3, 2};
    private static final String[] ROLES = {"customer", "employee", "contractor"};
    private static final int[] ROLE_WEIGHTS = {80, 12, 8};

    private final SplittableRandom random;
    private final ObjectMapper mapper;

    /**
     * @param seed   random seed (same seed, same sessions)
     * @param mapper JSON mapper
     */
    public DemoWorkload(long seed, ObjectMapper mapper) {
        this.random = new SplittableRandom(seed);
        this.mapper = mapper;
    }

    /**
     * A STARTED event of a new session.
     *
     * @param sessionId  the id (single-use)
     * @param occurredAt the gateway's clock
     * @return the session event in its JSON form
     */
    public synchronized ObjectNode started(String sessionId, Instant occurredAt) {
        String nationality = pick(COUNTRIES, COUNTRY_WEIGHTS);
        ObjectNode subject = mapper.createObjectNode();
        subject.put("userId", "u-" + sessionId);
        String role = pick(ROLES, ROLE_WEIGHTS);
        subject.put("orgId", role.equals("customer") ? "org-" + random.nextInt(500) : "frontier-lab");
        ArrayNode nat = subject.putArray("nationality");
        nat.add(nationality);
        if (random.nextInt(100) < 3) { // dual nationals: covered by NOT_IN [US] only when neither is US
            String second = pick(COUNTRIES, COUNTRY_WEIGHTS);
            if (!second.equals(nationality)) {
                nat.add(second);
            }
        }
        subject.put("residenceCountry", random.nextInt(100) < 85 ? nationality : "US");
        subject.put("locationCountry", random.nextInt(100) < 90 ? subject.get("residenceCountry").asText() : pick(COUNTRIES, COUNTRY_WEIGHTS));
        subject.putArray("role").add(role);
        subject.putObject("attributes");
        ObjectNode event = mapper.createObjectNode();
        event.put("sessionId", sessionId);
        event.put("type", "STARTED");
        event.put("resource", pick(RESOURCES.toArray(new String[0]), RESOURCE_WEIGHTS));
        event.put("gatewayId", "gw-" + (1 + random.nextInt(8)));
        event.put("occurredAt", occurredAt.toString());
        event.set("subject", subject);
        return event;
    }

    private String pick(String[] values, int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int r = random.nextInt(total);
        for (int i = 0; i < values.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }
}
