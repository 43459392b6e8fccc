-- Cordon audit trail, part 2: the RFC 6962 Merkle tree over the entries, signed checkpoints, the keys that
-- signed them and witness cosignatures (DESIGN.md "Audit trail"; leaf definition in dev.cordon.audit.TreeLeaf).
-- Every table is append-only exactly like audit_entries: row triggers reject UPDATE and DELETE, a statement
-- trigger rejects TRUNCATE, and the service role gets INSERT and SELECT only (AuditDatabase.migrate).

-- Every perfect subtree of the tree (CompactRange.append returns them): level 0 = leaf hashes
-- SHA-256(0x00 || entry_hash), higher levels SHA-256(0x01 || left || right). Leaf index = seq - 1.
-- Proofs are built from these rows only (ProofBuilder), never from the entries.
CREATE TABLE audit_tree_nodes (
    level   SMALLINT NOT NULL,
    idx     BIGINT   NOT NULL,
    hash    BYTEA    NOT NULL,
    CONSTRAINT audit_tree_nodes_pk PRIMARY KEY (level, idx),
    CONSTRAINT audit_tree_nodes_level CHECK (level BETWEEN 0 AND 62),
    CONSTRAINT audit_tree_nodes_idx CHECK (idx >= 0),
    CONSTRAINT audit_tree_nodes_hash_len CHECK (octet_length(hash) = 32)
);

-- The compact range after each committed batch (written in the same transaction as the entries):
-- compact_range is the concatenation of the perfect-subtree roots, left to right, 32 bytes each,
-- one per set bit of tree_size. The row with the largest tree_size is where the sink resumes.
CREATE TABLE audit_tree_heads (
    tree_size       BIGINT NOT NULL,
    root_hash       BYTEA  NOT NULL,
    compact_range   BYTEA  NOT NULL,
    recorded_at_ms  BIGINT NOT NULL,
    CONSTRAINT audit_tree_heads_pk PRIMARY KEY (tree_size),
    CONSTRAINT audit_tree_heads_size CHECK (tree_size >= 0),
    CONSTRAINT audit_tree_heads_root_len CHECK (octet_length(root_hash) = 32),
    CONSTRAINT audit_tree_heads_range_len CHECK (octet_length(compact_range) % 32 = 0)
);

-- Public keys that signed checkpoints, as signed-note verifier keys (<name>+<hex id>+<base64>). Never
-- deleted: after a key rotation the old checkpoints stay verifiable.
CREATE TABLE audit_signing_keys (
    verifier_key    TEXT   NOT NULL,
    key_name        TEXT   NOT NULL,
    key_id          BIGINT NOT NULL,
    first_used_ms   BIGINT NOT NULL,
    CONSTRAINT audit_signing_keys_pk PRIMARY KEY (verifier_key)
);

-- Signed checkpoints (c2sp.org/tlog-checkpoint in a c2sp.org/signed-note). checkpoint_no is 1, 2, 3… assigned
-- by the sink under the writer lock. reason: PERIODIC, DIRECTIVE (a directive change was in the batch),
-- ROTATION (first checkpoint under a new key), SHUTDOWN.
CREATE TABLE audit_checkpoints (
    checkpoint_no   BIGINT NOT NULL,
    tree_size       BIGINT NOT NULL,
    root_hash       BYTEA  NOT NULL,
    origin          TEXT   NOT NULL,
    key_name        TEXT   NOT NULL,
    key_id          BIGINT NOT NULL,
    signed_at_ms    BIGINT NOT NULL,
    reason          TEXT   NOT NULL,
    note            TEXT   NOT NULL,
    CONSTRAINT audit_checkpoints_pk PRIMARY KEY (checkpoint_no),
    CONSTRAINT audit_checkpoints_no CHECK (checkpoint_no >= 1),
    CONSTRAINT audit_checkpoints_size CHECK (tree_size >= 0),
    CONSTRAINT audit_checkpoints_root_len CHECK (octet_length(root_hash) = 32)
);
CREATE INDEX audit_checkpoints_size_idx ON audit_checkpoints (tree_size);

-- Witness cosignatures (c2sp.org/tlog-cosignature, type 0x04): signature_line is the "— name base64" line to
-- append to the checkpoint note of that tree_size and root.
CREATE TABLE audit_cosignatures (
    tree_size       BIGINT NOT NULL,
    root_hash       BYTEA  NOT NULL,
    witness_name    TEXT   NOT NULL,
    key_id          BIGINT NOT NULL,
    cosigned_at_s   BIGINT NOT NULL,
    signature_line  TEXT   NOT NULL,
    CONSTRAINT audit_cosignatures_pk PRIMARY KEY (tree_size, witness_name, key_id),
    CONSTRAINT audit_cosignatures_root_len CHECK (octet_length(root_hash) = 32)
);

CREATE TRIGGER audit_tree_nodes_no_update BEFORE UPDATE ON audit_tree_nodes
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_tree_nodes_no_delete BEFORE DELETE ON audit_tree_nodes
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_tree_nodes_no_truncate BEFORE TRUNCATE ON audit_tree_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_audit_reject_change();

CREATE TRIGGER audit_tree_heads_no_update BEFORE UPDATE ON audit_tree_heads
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_tree_heads_no_delete BEFORE DELETE ON audit_tree_heads
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_tree_heads_no_truncate BEFORE TRUNCATE ON audit_tree_heads
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_audit_reject_change();

CREATE TRIGGER audit_signing_keys_no_update BEFORE UPDATE ON audit_signing_keys
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_signing_keys_no_delete BEFORE DELETE ON audit_signing_keys
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_signing_keys_no_truncate BEFORE TRUNCATE ON audit_signing_keys
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_audit_reject_change();

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_audit_reject_change();

CREATE TRIGGER audit_cosignatures_no_update BEFORE UPDATE ON audit_cosignatures
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_cosignatures_no_delete BEFORE DELETE ON audit_cosignatures
    FOR EACH ROW EXECUTE FUNCTION cordon_audit_reject_change();
CREATE TRIGGER audit_cosignatures_no_truncate BEFORE TRUNCATE ON audit_cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION cordon_audit_reject_change();

REVOKE ALL ON audit_tree_nodes FROM PUBLIC;
REVOKE ALL ON audit_tree_heads FROM PUBLIC;
REVOKE ALL ON audit_signing_keys FROM PUBLIC;
REVOKE ALL ON audit_checkpoints FROM PUBLIC;
REVOKE ALL ON audit_cosignatures FROM PUBLIC;
