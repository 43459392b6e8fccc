-- Cordon audit trail: append-only, hash-chained entries (DESIGN.md "Audit trail").
-- Run by the table OWNER (Flyway). The service role gets INSERT and SELECT only (granted by
-- AuditDatabase.migrate after this script), so it can neither rewrite rows nor alter/disable triggers.
--
-- Every column except entry_hash is covered by entry_hash; the exact byte layout is documented in
-- dev.cordon.audit.EntryHasher (auditors re-implement it). Times are epoch milliseconds (UTC) so the
-- hashed value is exactly what is stored (no time-zone or precision conversion).

CREATE TABLE audit_entries (
    seq                 BIGINT  NOT NULL,
    recorded_at_ms      BIGINT  NOT NULL,
    event_type          TEXT    NOT NULL,
    event_id            TEXT,
    origin_component    TEXT,
    origin_partition    INTEGER,
    origin_sequence     BIGINT,
    occurred_at_ms      BIGINT,
    directive_id        TEXT,
    session_id          TEXT,
    kafka_topic         TEXT    NOT NULL,
    kafka_partition     INTEGER NOT NULL,
    kafka_offset        BIGINT  NOT NULL,
    kafka_timestamp_ms  BIGINT  NOT NULL,
    kafka_key           BYTEA,
    payload_format      TEXT    NOT NULL,
    payload             BYTEA   NOT NULL,
    details             TEXT,
    prev_hash           BYTEA   NOT NULL,
    entry_hash          BYTEA   NOT NULL,
    CONSTRAINT audit_entries_pk PRIMARY KEY (seq),
    CONSTRAINT audit_entries_seq_positive CHECK (seq >= 1),
    CONSTRAINT audit_entries_prev_hash_len CHECK (octet_length(prev_hash) = 32),
    CONSTRAINT audit_entries_entry_hash_len CHECK (octet_length(entry_hash) = 32),
    -- Kafka provenance is unique: a redelivered record can never be stored twice.
    CONSTRAINT audit_entries_provenance_uq UNIQUE (kafka_topic, kafka_partition, kafka_offset),
    CONSTRAINT audit_entries_origin_complete CHECK (
        (origin_component IS NULL AND origin_partition IS NULL AND origin_sequence IS NULL)
        OR (origin_component IS NOT NULL AND origin_partition IS NOT NULL AND origin_sequence IS NOT NULL))
);

COMMENT ON TABLE audit_entries IS
    'Cordon audit trail: append-only (triggers + privileges), SHA-256 hash chain; layout in dev.cordon.audit.EntryHasher';

-- Not unique on purpose: a duplicated origin event must still be stored (never lose) and is then
-- reported by AuditVerifier.
CREATE INDEX audit_entries_origin_idx ON audit_entries (origin_component, origin_partition, origin_sequence);
CREATE INDEX audit_entries_session_idx ON audit_entries (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX audit_entries_directive_idx ON audit_entries (directive_id) WHERE directive_id IS NOT NULL;

-- Schemas of the Avro payloads, keyed by payload_format, so that an auditor can decode any entry.
CREATE TABLE audit_payload_schemas (
    payload_format  TEXT NOT NULL PRIMARY KEY,
    schema_json     TEXT NOT NULL
);

CREATE FUNCTION cordon_audit_reject_change() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'cordon audit trail is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_audit_reject_change();

CREATE TRIGGER audit_payload_schemas_no_update BEFORE UPDATE ON audit_payload_schemas
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_payload_schemas_no_delete BEFORE DELETE ON audit_payload_schemas
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_payload_schemas_no_truncate BEFORE TRUNCATE ON audit_payload_schemas
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_audit_reject_change();

REVOKE ALL ON audit_entries FROM PUBLIC;
REVOKE ALL ON audit_payload_schemas FROM PUBLIC;
