package dev.cordon.schemas.registry;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A client of the Confluent Schema Registry REST API (the subset Cordon uses). Method names follow
 * Confluent's {@code SchemaRegistryClient} so the two read alike; schemas are Avro {@link Schema}s.
 *
 * <p>Implementations are thread-safe. Every method throws {@link SchemaRegistryException} carrying
 * the HTTP status and Confluent {@code error_code} when the registry refuses, or
 * {@link SchemaRegistryException#UNREACHABLE} when no configured URL answers.
 *
 * @see RestSchemaRegistryClient
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject} ({@code POST /subjects/{s}/versions}); idempotent.
     *
     * @return the global schema id
     * @throws SchemaRegistryException 409 when incompatible with the subject's compatibility level,
     *                                 42201 when the registry finds the schema invalid
     */
    int register(String subject, Schema schema);

    /**
     * Looks up the id of a schema already registered under {@code subject} ({@code POST /subjects/{s}}).
     *
     * @throws SchemaRegistryException 40401 no such subject, 40403 schema not registered under it
     */
    int getId(String subject, Schema schema);

    /**
     * Fetches a schema by global id ({@code GET /schemas/ids/{id}}).
     *
     * @throws SchemaRegistryException 40403 when no schema has that id
     */
    Schema getSchemaById(int id);

    /**
     * @return the latest version of {@code subject} ({@code GET /subjects/{s}/versions/latest})
     * @throws SchemaRegistryException 40401 when the subject does not exist
     */
    SchemaMetadata getLatestSchemaMetadata(String subject);

    /**
     * @return version {@code version} (≥ 1) of {@code subject}
     * @throws SchemaRegistryException 40401 no such subject, 40402 no such version
     */
    SchemaMetadata getSchemaMetadata(String subject, int version);

    /**
     * @return the subject's live version numbers, ascending ({@code GET /subjects/{s}/versions})
     * @throws SchemaRegistryException 40401 when the subject does not exist
     */
    List<Integer> getAllVersions(String subject);

    /** @return every live subject ({@code GET /subjects}) */
    List<String> getAllSubjects();

    /**
     * Tests {@code schema} against the latest version of {@code subject} at the subject's level
     * ({@code POST /compatibility/subjects/{s}/versions/latest}). A subject with no version yet
     * accepts anything.
     *
     * @return {@code is_compatible}
     */
    boolean testCompatibility(String subject, Schema schema);

    /**
     * Like {@link #testCompatibility} with {@code ?verbose=true}: the registry's reasons as well.
     */
    CompatibilityResult testCompatibilityVerbose(String subject, Schema schema);

    /** @return the global compatibility level ({@code GET /config}) */
    CompatibilityLevel getGlobalCompatibility();

    /**
     * @return the subject's level, or the global one when the subject has none
     *         ({@code GET /config/{s}?defaultToGlobal=true})
     */
    CompatibilityLevel getCompatibility(String subject);

    /** Sets the global level ({@code PUT /config}). @return the level now in force */
    CompatibilityLevel updateGlobalCompatibility(CompatibilityLevel level);

    /** Sets the subject's level ({@code PUT /config/{s}}). @return the level now in force */
    CompatibilityLevel updateCompatibility(String subject, CompatibilityLevel level);

    /**
     * Soft-deletes every version of {@code subject} ({@code DELETE /subjects/{s}}) and forgets the
     * cached ids of that subject.
     *
     * @return the deleted version numbers
     * @throws SchemaRegistryException 40401 when the subject does not exist
     */
    default List<Integer> deleteSubject(String subject) {
        return deleteSubject(subject, false);
    }

    /**
     * Deletes {@code subject}; {@code permanent=true} (hard delete) requires a soft delete first
     * (Confluent rule; 40405 otherwise).
     *
     * @return the deleted version numbers
     */
    List<Integer> deleteSubject(String subject, boolean permanent);

    /** @return the base URLs this client talks to, in failover order */
    List<String> baseUrls();

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {
    }
}
