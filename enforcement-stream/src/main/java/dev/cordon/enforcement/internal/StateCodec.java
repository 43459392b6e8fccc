package dev.cordon.enforcement.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact codec for internal state values (stores and internal topics; never published): Avro's binary
 * primitives (zig-zag varints, length-prefixed UTF-8) written field by field after a format version, with
 * nested published records ({@code Subject}, {@code DirectiveChange}, {@code DirectiveImpact}) written as
 * plain Avro binary of their compiled schema. A format change must bump the version and keep reading the old one.
 */
public final class StateCodec {
    static {
        AvroTrust.ensure();
    }

    private static final ClassValue<SpecificDatumWriter<?>> WRITERS = new ClassValue<>() {
        @Override
        protected SpecificDatumWriter<?> computeValue(Class<?> type) {
            return new SpecificDatumWriter<>(type);
        }
    };
    private static final ClassValue<SpecificDatumReader<?>> READERS = new ClassValue<>() {
        @Override
        protected SpecificDatumReader<?> computeValue(Class<?> type) {
            return new SpecificDatumReader<>(type);
        }
    };

    private StateCodec() {
    }

    /** Writes one value. */
    @FunctionalInterface
    public interface Writer<T> {
        void write(T value, Out out) throws IOException;
    }

    /** Reads one value. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(In in) throws IOException;
    }

    /** @return a serde over {@code writer}/{@code reader}, tagged with {@code version}; {@code null} stays {@code null} */
    public static <T> Serde<T> serde(int version, Writer<T> writer, Reader<T> reader) {
        Serializer<T> serializer = (topic, value) -> value == null ? null : encode(version, writer, value);
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : decode(version, reader, bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /**
     * @return a serde writing format {@code version} and reading any format in {@code readers} (older formats stay
     *         readable after an upgrade: changelogs hold them)
     */
    public static <T> Serde<T> serde(int version, Writer<T> writer, Map<Integer, Reader<T>> readers) {
        Serializer<T> serializer = (topic, value) -> value == null ? null : encode(version, writer, value);
        Deserializer<T> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            try {
                int found = decoder.readInt();
                Reader<T> reader = readers.get(found);
                if (reader == null) {
                    throw new SerializationException("internal state format " + found + " is not readable by this version (reads "
                            + readers.keySet() + ")");
                }
                return reader.read(new In(decoder));
            } catch (IOException | RuntimeException e) {
                if (e instanceof SerializationException se) {
                    throw se;
                }
                throw new SerializationException("unreadable internal state: " + e, e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    /** @return a reader over {@code bytes}, positioned at the format version (read it first with {@link In#integer()}) */
    static In open(byte[] bytes) {
        return new In(DecoderFactory.get().binaryDecoder(bytes, null));
    }

    static <T> byte[] encode(int version, Writer<T> writer, T value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        try {
            encoder.writeInt(version);
            writer.write(value, new Out(encoder));
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static <T> T decode(int version, Reader<T> reader, byte[] bytes) {
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        try {
            int found = decoder.readInt();
            if (found != version) {
                throw new SerializationException("internal state format " + found + " is not readable by this version (expects " + version + ")");
            }
            return reader.read(new In(decoder));
        } catch (IOException | RuntimeException e) {
            if (e instanceof SerializationException se) {
                throw se;
            }
            throw new SerializationException("unreadable internal state: " + e, e);
        }
    }

    /** Field writer. */
    public static final class Out {
        private final BinaryEncoder encoder;

        Out(BinaryEncoder encoder) {
            this.encoder = encoder;
        }

        public void string(String s) throws IOException {
            encoder.writeString(s);
        }

        public void nullableString(String s) throws IOException {
            encoder.writeBoolean(s != null);
            if (s != null) {
                encoder.writeString(s);
            }
        }

        public void integer(int i) throws IOException {
            encoder.writeInt(i);
        }

        public void longValue(long l) throws IOException {
            encoder.writeLong(l);
        }

        public void nullableLong(Long l) throws IOException {
            encoder.writeBoolean(l != null);
            if (l != null) {
                encoder.writeLong(l);
            }
        }

        public void bool(boolean b) throws IOException {
            encoder.writeBoolean(b);
        }

        public void strings(List<String> list) throws IOException {
            encoder.writeInt(list.size());
            for (String s : list) {
                encoder.writeString(s);
            }
        }

        public void counts(Map<String, Long> map) throws IOException {
            encoder.writeInt(map.size());
            for (Map.Entry<String, Long> e : map.entrySet()) {
                encoder.writeString(e.getKey());
                encoder.writeLong(e.getValue());
            }
        }

        public void integers(List<Integer> list) throws IOException {
            encoder.writeInt(list.size());
            for (int i : list) {
                encoder.writeInt(i);
            }
        }

        /**
         * Writes a {@code Subject} field by field (as its Avro binary, but without Avro's schema-driven reader on the way
         * back: decoding the stored subject of every session was two thirds of a sweep's CPU). {@code null} allowed.
         */
        public void subject(dev.cordon.avro.Subject s) throws IOException {
            encoder.writeBoolean(s != null);
            if (s == null) {
                return;
            }
            encoder.writeString(s.getUserId());
            nullableString(s.getOrgId());
            strings(s.getNationality());
            nullableString(s.getResidenceCountry());
            nullableString(s.getLocationCountry());
            strings(s.getRole());
            Map<String, String> attributes = s.getAttributes();
            encoder.writeInt(attributes.size());
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                encoder.writeString(e.getKey());
                encoder.writeString(e.getValue());
            }
        }

        @SuppressWarnings("unchecked")
        public <R extends SpecificRecord> void record(R record) throws IOException {
            encoder.writeBoolean(record != null);
            if (record != null) {
                ((SpecificDatumWriter<R>) WRITERS.get(record.getClass())).write(record, encoder);
            }
        }
    }

    /**
     * Which optional subject fields {@link In#subject(SubjectFields)} decodes (nationality and role always are).
     *
     * @param attributes the free attributes map ({@code attr.*})
     */
    public record SubjectFields(boolean userId, boolean orgId, boolean residenceCountry, boolean locationCountry,
                                boolean attributes) {
        /** @return the fields named in {@code read} ({@code userId}, {@code orgId}, …, any {@code attr.<name>}) */
        public static SubjectFields of(java.util.Set<String> read) {
            return new SubjectFields(read.contains("userId"), read.contains("orgId"), read.contains("residenceCountry"),
                    read.contains("locationCountry"), read.stream().anyMatch(a -> a.startsWith("attr.")));
        }
    }

    /**
     * Reads strings that repeat across many stored values (the nullable strings and string lists of {@link In}: in a
     * session, its resource, org, countries, nationalities and roles) into one {@code String} each:
     * a counting sweep reads 1,000,000 sessions and otherwise allocates a new copy of each value for each session.
     * Holds at most {@code capacity} distinct strings; later new ones are read as usual. Not thread-safe: one per
     * reading thread.
     */
    static final class Interner {
        private final int capacity;
        private final Map<Utf8, String> strings = new java.util.HashMap<>();
        private Utf8 scratch = new Utf8();

        /** @param capacity at most this many distinct strings kept (each costs its bytes twice, plus ~100 bytes) */
        Interner(int capacity) {
            this.capacity = capacity;
        }

        /** @return the next string of {@code decoder}, the same instance as an earlier equal one when it is kept */
        String read(BinaryDecoder decoder) throws IOException {
            scratch = decoder.readString(scratch);
            String known = strings.get(scratch);
            if (known != null) {
                return known;
            }
            String text = scratch.toString();
            if (strings.size() < capacity) {
                strings.put(new Utf8(scratch), text);
            }
            return text;
        }
    }

    /** Field reader. */
    public static final class In {
        private final BinaryDecoder decoder;
        private final Interner interner;

        In(BinaryDecoder decoder) {
            this(decoder, null);
        }

        /** @param interner reads the strings of {@link #nullableString()} and {@link #strings()}; {@code null} = none */
        In(BinaryDecoder decoder, Interner interner) {
            this.decoder = decoder;
            this.interner = interner;
        }

        public String string() throws IOException {
            return decoder.readString();
        }

        public String nullableString() throws IOException {
            return decoder.readBoolean() ? text() : null;
        }

        private String text() throws IOException {
            return interner == null ? decoder.readString() : interner.read(decoder);
        }

        /** Skips a string without decoding it. */
        public void skipString() throws IOException {
            decoder.skipString();
        }

        /** Skips a nullable string without decoding it. */
        public void skipNullableString() throws IOException {
            if (decoder.readBoolean()) {
                decoder.skipString();
            }
        }

        public int integer() throws IOException {
            return decoder.readInt();
        }

        public long longValue() throws IOException {
            return decoder.readLong();
        }

        public Long nullableLong() throws IOException {
            return decoder.readBoolean() ? decoder.readLong() : null;
        }

        public boolean bool() throws IOException {
            return decoder.readBoolean();
        }

        public List<String> strings() throws IOException {
            int n = decoder.readInt();
            List<String> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(text());
            }
            return list;
        }

        public Map<String, Long> counts() throws IOException {
            int n = decoder.readInt();
            Map<String, Long> map = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                map.put(decoder.readString(), decoder.readLong());
            }
            return map;
        }

        public List<Integer> integers() throws IOException {
            int n = decoder.readInt();
            List<Integer> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(decoder.readInt());
            }
            return list;
        }

        /**
         * @param attributes the attributes to decode ({@code userId}, {@code orgId}, {@code residenceCountry},
         *                   {@code locationCountry}, {@code attr.*} for the map); nationality and role are always decoded
         * @return a {@code Subject} written by {@link Out#subject} with only those fields (the others skipped, left
         *         empty: {@code ""} for the user id, {@code null} or an empty map otherwise), or {@code null}
         */
        public dev.cordon.avro.Subject subject(java.util.Set<String> attributes) throws IOException {
            return subject(SubjectFields.of(attributes));
        }

        /** As {@link #subject(java.util.Set)}, with the fields to decode worked out once for many sessions. */
        public dev.cordon.avro.Subject subject(SubjectFields fields) throws IOException {
            if (!decoder.readBoolean()) {
                return null;
            }
            String userId = stringOrSkip(fields.userId(), "");
            String orgId = fields.orgId() ? nullableString() : skipNullable();
            List<String> nationality = strings();
            String residence = fields.residenceCountry() ? nullableString() : skipNullable();
            String location = fields.locationCountry() ? nullableString() : skipNullable();
            List<String> role = strings();
            boolean free = fields.attributes();
            int n = decoder.readInt();
            Map<String, String> map = free ? new java.util.HashMap<>(n * 2) : Map.of();
            for (int i = 0; i < n; i++) {
                if (free) {
                    map.put(decoder.readString(), decoder.readString());
                } else {
                    decoder.skipString();
                    decoder.skipString();
                }
            }
            return new dev.cordon.avro.Subject(userId, orgId, nationality, residence, location, role, map);
        }

        private String stringOrSkip(boolean read, String skipped) throws IOException {
            if (read) {
                return decoder.readString();
            }
            decoder.skipString();
            return skipped;
        }

        private String skipNullable() throws IOException {
            skipNullableString();
            return null;
        }

        /** @return a {@code Subject} written by {@link Out#subject}, or {@code null} */
        public dev.cordon.avro.Subject subject() throws IOException {
            if (!decoder.readBoolean()) {
                return null;
            }
            String userId = decoder.readString();
            String orgId = nullableString();
            List<String> nationality = strings();
            String residence = nullableString();
            String location = nullableString();
            List<String> role = strings();
            int n = decoder.readInt();
            Map<String, String> attributes = n == 0 ? new java.util.HashMap<>(0) : new java.util.HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                attributes.put(decoder.readString(), decoder.readString());
            }
            return new dev.cordon.avro.Subject(userId, orgId, nationality, residence, location, role, attributes);
        }

        @SuppressWarnings("unchecked")
        public <R extends SpecificRecord> R record(Class<R> type) throws IOException {
            return decoder.readBoolean() ? ((SpecificDatumReader<R>) READERS.get(type)).read(null, decoder) : null;
        }
    }
}
