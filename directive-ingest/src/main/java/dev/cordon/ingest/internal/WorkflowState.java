package dev.cordon.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Ingest's own durable state, rebuilt from its compacted state topic ({@code <prefix>directive-ingest-state},
 * JSON values): revisions awaiting approval, remembered answers to {@code Idempotency-Key}s, and the two audit
 * sequence counters. Keys:
 * <ul>
 *   <li>{@value #SEQUENCES_KEY} → {@code {"txId", "changes", "workflow"}}: written in <em>every</em> ingest
 *       transaction; {@code changes} is the last sequence of origin {@code directive-ingest/-1} (one event per
 *       published change), {@code workflow} the last of origin {@code directive-ingest/-2} (refusals,
 *       submissions awaiting approval); {@code txId} lets a retry recognise that its first attempt committed.</li>
 *   <li>{@code pending/<directiveId>/<revision>} → a {@link #pending} revision (state {@code PENDING},
 *       {@code BREAK_GLASS} or {@code APPROVED}).</li>
 *   <li>{@code idempotency/<sha256(principal NUL key)>} → the first answer ({@link #answer}).</li>
 * </ul>
 * Not thread-safe: {@link DirectiveLog} uses it under its lock.
 */
public final class WorkflowState {
    public static final String SEQUENCES_KEY = "sequences";
    static final ObjectMapper MAPPER = new ObjectMapper();
    private final Map<String, ObjectNode> pending = new TreeMap<>();
    private final Map<String, ObjectNode> answers = new java.util.HashMap<>();
    private long changesSequence = -1;
    private long workflowSequence;
    private String lastTxId;

    /** @return state key of a pending revision */
    public static String pendingKey(String directiveId, int revision) {
        return "pending/" + directiveId + "/" + revision;
    }

    /** @return state key of an idempotency key of a principal (hashed: keys are client-chosen text) */
    public static String answerKey(String principal, String idempotencyKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((principal == null ? "" : principal).getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(idempotencyKey.getBytes(StandardCharsets.UTF_8));
            return "idempotency/" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Applies one committed record of the state topic.
     *
     * @return the {@code txId} when the record is the sequences record, else {@code null}
     * @throws IllegalArgumentException when the value is not JSON (the caller treats it as unreadable)
     */
    public String apply(String key, String value) {
        if (key == null) {
            return null;
        }
        ObjectNode node = null;
        if (value != null) {
            try {
                JsonNode parsed = MAPPER.readTree(value);
                if (!(parsed instanceof ObjectNode o)) {
                    throw new IllegalArgumentException("state record " + key + " is not a JSON object");
                }
                node = o;
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("state record " + key + " is not JSON: " + e.getOriginalMessage(), e);
            }
        }
        if (key.equals(SEQUENCES_KEY)) {
            if (node != null) {
                changesSequence = node.path("changes").asLong(changesSequence);
                workflowSequence = node.path("workflow").asLong(workflowSequence);
                lastTxId = node.path("txId").asText(null);
                return lastTxId;
            }
        } else if (key.startsWith("pending/")) {
            put(pending, key, node);
        } else if (key.startsWith("idempotency/")) {
            put(answers, key, node);
        }
        return null;
    }

    private static void put(Map<String, ObjectNode> map, String key, ObjectNode node) {
        if (node == null) {
            map.remove(key);
        } else {
            map.put(key, node);
        }
    }

    /**
     * @param countedChanges committed directive-changes records read (used only before the first sequences record
     *                       exists, i.e. on a cluster written by an ingest version without this state topic)
     * @return the last sequence of origin {@code directive-ingest/-1}
     */
    public long changesSequence(long countedChanges) {
        return changesSequence >= 0 ? changesSequence : countedChanges;
    }

    /** @return the last sequence of origin {@code directive-ingest/-2} */
    public long workflowSequence() {
        return workflowSequence;
    }

    /** @return the pending (or approved) revision record, if any */
    public Optional<ObjectNode> pending(String directiveId, int revision) {
        return Optional.ofNullable(pending.get(pendingKey(directiveId, revision))).map(ObjectNode::deepCopy);
    }

    /** @return every pending record of a directive, by revision */
    public List<ObjectNode> pendingOf(String directiveId) {
        List<ObjectNode> out = new ArrayList<>();
        String prefix = "pending/" + directiveId + "/";
        pending.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.add(v.deepCopy());
            }
        });
        out.sort((a, b) -> Integer.compare(a.path("revision").asInt(), b.path("revision").asInt()));
        return out;
    }

    /** @return ids of directives with pending records */
    public List<String> pendingDirectiveIds() {
        List<String> ids = new ArrayList<>();
        pending.values().forEach(v -> {
            String id = v.path("directiveId").asText();
            if (!ids.contains(id)) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** @return the remembered answer of an idempotency key, if any */
    public Optional<ObjectNode> answer(String principal, String idempotencyKey) {
        return Optional.ofNullable(answers.get(answerKey(principal, idempotencyKey))).map(ObjectNode::deepCopy);
    }
}
