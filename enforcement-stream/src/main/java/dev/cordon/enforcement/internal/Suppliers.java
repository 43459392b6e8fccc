package dev.cordon.enforcement.internal;

import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.SessionEvent;
import dev.cordon.enforcement.EnforcementSettings;
import dev.cordon.schemas.TopicCatalogue;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/** Processor suppliers and store builders of the enforcement topology (names from {@link Names}). */
public final class Suppliers {
    private Suppliers() {
    }

    public static ProcessorSupplier<byte[], byte[], String, Emit> decodeDirectives(TopicCatalogue topics, EnforcementSettings s) {
        Deserializer<DirectiveChange> deserializer = topics.directiveChanges().valueSerde().deserializer();
        return () -> new DecodeDirectivesProcessor(deserializer, s.component());
    }

    public static ProcessorSupplier<byte[], byte[], String, Emit> aggregateImpacts(TopicCatalogue topics, EnforcementSettings s) {
        Deserializer<DirectiveImpact> deserializer = topics.directiveImpacts().valueSerde().deserializer();
        return () -> new AggregateImpactsProcessor(deserializer, s.component(), s.impactSampleSize());
    }

    public static ProcessorSupplier<byte[], byte[], String, Emit> decodeSessions(TopicCatalogue topics, EnforcementSettings s) {
        Deserializer<SessionEvent> deserializer = topics.sessionEvents().valueSerde().deserializer();
        return () -> new DecodeSessionsProcessor(deserializer, s);
    }

    public static ProcessorSupplier<String, SessionEvent, String, Emit> matchSessions(EnforcementSettings s, LiveSessions live) {
        return () -> new MatchSessionsProcessor(s, live);
    }

    public static StoreBuilder<KeyValueStore<String, byte[]>> expiryIndexStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SESSION_EXPIRY_INDEX_STORE), Serdes.String(),
                Serdes.ByteArray());
    }

    /** Serde of the re-keying topic: plain Avro binary of the compiled {@code SessionEvent} schema. */
    public static org.apache.kafka.common.serialization.Serde<SessionEvent> sessionEventSerde() {
        return StateCodec.serde(1, (v, out) -> out.record(v), in -> in.record(SessionEvent.class));
    }

    /**
     * @param trusted the keys a directive change must be signed with; {@code null} = signatures not checked
     */
    public static ProcessorSupplier<String, DirectiveChange, String, Emit> applyDirectives(EnforcementSettings s,
                                                                                           dev.cordon.schemas.signing.TrustedKeys trusted,
                                                                                           LiveSessions live) {
        return () -> new ApplyDirectivesProcessor(s, trusted, live);
    }

    public static StoreBuilder<KeyValueStore<String, DirectiveEntry>> directivesStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.DIRECTIVES_STORE), Serdes.String(), DirectiveEntry.SERDE);
    }

    /**
     * Sessions by id. Values are {@link SessionState#SERDE}'s bytes, encoded and decoded by {@code Enforcer}, so a sweep
     * can read a session's status, resource and subject without decoding the rest ({@link SessionState#readLive}).
     */
    public static StoreBuilder<KeyValueStore<String, byte[]>> sessionsStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SESSIONS_STORE), Serdes.String(), Serdes.ByteArray());
    }

    public static StoreBuilder<KeyValueStore<String, SweepState>> sweepsStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.SWEEPS_STORE), Serdes.String(), SweepState.SERDE);
    }

    public static StoreBuilder<KeyValueStore<String, Long>> sequenceStore(String name) {
        // cached: every audit event reads and bumps the same key, so the cache turns a RocksDB put and a changelog
        // record per event into one per commit (flushed before the transaction commits, so still exactly-once)
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.Long())
                .withCachingEnabled();
    }

    public static StoreBuilder<KeyValueStore<String, ImpactAccumulator>> impactPartialsStore() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(Names.IMPACT_PARTIALS_STORE), Serdes.String(),
                ImpactAccumulator.SERDE);
    }

    /** Serde of the directive multicast topic: plain Avro binary of the compiled {@code DirectiveChange} schema. */
    public static org.apache.kafka.common.serialization.Serde<DirectiveChange> directiveBroadcastSerde() {
        return StateCodec.serde(1, (v, out) -> out.record(v), in -> in.record(DirectiveChange.class));
    }
}
