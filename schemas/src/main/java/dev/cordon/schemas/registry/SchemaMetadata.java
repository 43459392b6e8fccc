package dev.cordon.schemas.registry;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One registered version of a subject, as {@code GET /subjects/{s}/versions/{v}} returns it.
 *
 * @param subject subject name
 * @param version version number within the subject (1, 2, ...)
 * @param id      global schema id (the id in the Confluent wire format)
 * @param schema  the parsed Avro schema
 */
public record SchemaMetadata(String subject, int version, int id, Schema schema) {
    public SchemaMetadata {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
