package dev.cordon.audit.tools;

import dev.cordon.audit.AuditEntry;
import dev.cordon.audit.SignedCheckpoint;
import dev.cordon.audit.internal.TreeStore;
import dev.cordon.audit.merkle.CompactRange;
import dev.cordon.audit.merkle.NodeStore;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Where an auditor reads a trail from: the database ({@link DatabaseTrail}) or an export bundle
 * ({@link Bundle#open}). Everything it returns comes from the operator and is checked, not trusted.
 */
public interface TrailSource extends AutoCloseable {
    /** @return a human description ("database jdbc:…", "bundle FILE") */
    String description();

    /** @return number of entries before the first one this source holds (0 for a whole trail) */
    long startSize();

    /** @return the compact range of the tree of the first {@link #startSize()} entries (empty for 0) */
    CompactRange startRange();

    /** @return {@code entry_hash} of entry {@link #startSize()} (genesis for 0) */
    byte[] startEntryHash();

    /** @return the signed checkpoints this source holds, in {@code number} order */
    List<SignedCheckpoint> checkpoints();

    /** @return witness cosignatures */
    List<TreeStore.CosignatureRow> cosignatures();

    /** @return verifier keys the operator publishes (untrusted unless the auditor has them from elsewhere) */
    List<String> verifierKeys();

    /** @return the stored tree heads (size → root), to compare with the recomputed tree; empty for a bundle */
    Map<Long, byte[]> storedTreeRoots();

    /** @return the stored tree nodes, or {@code null} where the source has none (bundles) */
    NodeStore nodes();

    /** @return how many entries {@link #entries()} will return, for progress reports; {@code -1} when unknown */
    default long expectedEntries() {
        return -1;
    }

    /**
     * @return {@code true} when the source is the live log (its end is the log's end, so a checkpoint or an
     *         auditor's state beyond it means entries were removed); {@code false} for an export, which ends where
     *         the export ended
     */
    default boolean isLiveLog() {
        return true;
    }

    /** @return the entries in seq order, streamed; call once */
    Iterator<AuditEntry> entries();

    @Override
    void close();
}
