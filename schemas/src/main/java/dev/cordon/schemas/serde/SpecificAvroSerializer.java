package dev.cordon.schemas.serde;

import dev.cordon.schemas.registry.RestSchemaRegistryClient;
import dev.cordon.schemas.registry.SchemaMetadata;
import dev.cordon.schemas.registry.SchemaRegistryClient;
import dev.cordon.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer of Avro SpecificRecords in the Confluent wire format
 * ({@code [0x00][schema id, 4 bytes big-endian][Avro binary]}, see {@link ConfluentWireFormat}).
 * A {@code null} value stays {@code null} (a tombstone).
 *
 * <p>The schema id: with {@code auto.register.schemas=true} (default) the record's schema is
 * registered under the subject the configured {@link SubjectNameStrategy} names; with {@code false}
 * it is looked up ({@code POST /subjects/{s}}), or with {@code use.latest.version=true} the
 * subject's latest version is used and the record converted to it by Avro schema resolution. Ids
 * are cached by the {@link SchemaRegistryClient}. Configuration: {@link AvroSerdeConfig}.
 *
 * <p>Thread-safe once configured.
 *
 * @param <T> the record type
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    private record Settings(SchemaRegistryClient client, boolean isKey, SubjectNameStrategy strategy,
                            boolean autoRegister, boolean useLatest, boolean latestStrict, long latestTtlNanos) {
    }

    private record Latest(SchemaMetadata metadata, long fetchedAtNanos) {
    }

    private record Conversion(Schema own, Schema latest) {
    }

    private final SchemaRegistryClient suppliedClient;
    private volatile Settings settings;
    private final Map<String, Latest> latestBySubject = new ConcurrentHashMap<>();
    private final Map<Conversion, Boolean> checkedConversions = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> genericWriters = new ConcurrentHashMap<>();

    /** A serializer that builds its own {@link RestSchemaRegistryClient} from {@code schema.registry.url} in {@link #configure}. */
    public SpecificAvroSerializer() {
        this(null);
    }

    /**
     * A serializer that uses {@code client} (shared; {@code schema.registry.url} is then not needed).
     *
     * @param client the registry client, or {@code null} to build one in {@link #configure}
     */
    public SpecificAvroSerializer(SchemaRegistryClient client) {
        this.suppliedClient = client;
    }

    /**
     * @param configs Confluent-named configs, see {@link AvroSerdeConfig}
     * @param isKey   whether this serializes record keys (selects {@code key.subject.name.strategy}
     *                and the {@code -key} subject suffix)
     * @throws org.apache.kafka.common.config.ConfigException on a bad or missing config
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        AvroSerdeConfig config = new AvroSerdeConfig(configs);
        configure(config, isKey, suppliedClient != null ? suppliedClient : new RestSchemaRegistryClient(config));
    }

    void configure(AvroSerdeConfig config, boolean isKey, SchemaRegistryClient client) {
        long ttlSec = config.latestCacheTtlSec();
        this.settings = new Settings(client, isKey, config.subjectNameStrategy(isKey), config.autoRegisterSchemas(),
                config.useLatestVersion(), config.latestCompatibilityStrict(),
                ttlSec < 0 ? Long.MAX_VALUE : ttlSec * 1_000_000_000L);
    }

    /**
     * @return {@code null} for {@code null}; otherwise {@code [0x00][id][Avro binary]}
     * @throws SerializationException when the registry refuses or cannot be reached, or the record
     *                                cannot be encoded
     * @throws IllegalStateException  when not configured
     */
    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        Settings s = settings;
        if (s == null) {
            throw new IllegalStateException("SpecificAvroSerializer is not configured: call configure(configs, isKey) "
                    + "with at least schema.registry.url");
        }
        Schema own = data.getSchema();
        AvroClassTrust.trust(data.getClass(), own);
        String subject = s.strategy().subjectName(topic, s.isKey(), own);
        int id;
        Object datum = data;
        DatumWriter<Object> writer;
        if (s.useLatest() && !s.autoRegister()) {
            SchemaMetadata latest = latest(s, subject, own);
            id = latest.id();
            if (latest.schema().equals(own)) {
                writer = specificWriters.computeIfAbsent(own, SpecificDatumWriter::new);
            } else {
                checkConvertible(s, subject, own, latest);
                datum = convert(data, own, latest.schema());
                writer = genericWriters.computeIfAbsent(latest.schema(), GenericDatumWriter::new);
            }
        } else {
            id = s.autoRegister() ? register(s, subject, own) : lookup(s, subject, own);
            writer = specificWriters.computeIfAbsent(own, SpecificDatumWriter::new);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        byte[] header = new byte[ConfluentWireFormat.HEADER_SIZE];
        ConfluentWireFormat.writeHeader(header, id);
        out.writeBytes(header);
        AvroBinary.write(writer, datum, out);
        return out.toByteArray();
    }

    private int register(Settings s, String subject, Schema own) {
        try {
            return s.client().register(subject, own);
        } catch (SchemaRegistryException e) {
            String why = e.errorCode() == SchemaRegistryException.INCOMPATIBLE_SCHEMA
                    ? "the schema is incompatible with the versions already registered under the subject: "
                    : "";
            throw new SerializationException("cannot register the schema of " + own.getFullName() + " under subject '"
                    + subject + "' at " + where(s, e) + ": " + why + e.getMessage(), e);
        }
    }

    private int lookup(Settings s, String subject, Schema own) {
        try {
            return s.client().getId(subject, own);
        } catch (SchemaRegistryException e) {
            if (e.errorCode() == SchemaRegistryException.SCHEMA_NOT_FOUND
                    || e.errorCode() == SchemaRegistryException.SUBJECT_NOT_FOUND) {
                throw new SerializationException("the schema of " + own.getFullName() + " is not registered under subject '"
                        + subject + "' at " + where(s, e) + " and auto.register.schemas=false: register it first, "
                        + "or set use.latest.version=true (" + e.getMessage() + ")", e);
            }
            throw new SerializationException("cannot look up the schema of " + own.getFullName() + " under subject '"
                    + subject + "' at " + where(s, e) + ": " + e.getMessage(), e);
        }
    }

    private SchemaMetadata latest(Settings s, String subject, Schema own) {
        Latest cached = latestBySubject.get(subject);
        long now = System.nanoTime();
        if (cached != null && now - cached.fetchedAtNanos() < s.latestTtlNanos()) {
            return cached.metadata();
        }
        try {
            SchemaMetadata metadata = s.client().getLatestSchemaMetadata(subject);
            latestBySubject.put(subject, new Latest(metadata, now));
            return metadata;
        } catch (SchemaRegistryException e) {
            throw new SerializationException("use.latest.version=true but the latest version of subject '" + subject
                    + "' (for " + own.getFullName() + ") cannot be fetched from " + where(s, e) + ": " + e.getMessage(), e);
        }
    }

    private void checkConvertible(Settings s, String subject, Schema own, SchemaMetadata latest) {
        if (!s.latestStrict()) {
            return;
        }
        checkedConversions.computeIfAbsent(new Conversion(own, latest.schema()), c -> {
            var result = SchemaCompatibility.checkReaderWriterCompatibility(c.latest(), c.own());
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new SerializationException("use.latest.version=true: the latest version " + latest.version()
                        + " (id " + latest.id() + ") of subject '" + subject + "' cannot read data written with the "
                        + "record's own schema " + own.getFullName() + ": "
                        + result.getResult().getIncompatibilities().stream()
                        .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage()).toList()
                        + " (latest.compatibility.strict=true)");
            }
            return Boolean.TRUE;
        });
    }

    /** Re-reads the record's bytes as the latest schema (Avro schema resolution, generic data). */
    private static Object convert(SpecificRecord data, Schema own, Schema latest) {
        byte[] ownBytes = AvroBinary.encode(data);
        GenericDatumReader<Object> reader = new GenericDatumReader<>(own, latest, GenericData.get());
        return AvroBinary.read(reader, ownBytes, 0, ownBytes.length, latest.getFullName());
    }

    private static String where(Settings s, SchemaRegistryException e) {
        return e.baseUrl() != null ? e.baseUrl() : String.join(",", s.client().baseUrls());
    }

    @Override
    public void close() {
        // the client holds no resources that need closing (JDK HttpClient)
    }
}
