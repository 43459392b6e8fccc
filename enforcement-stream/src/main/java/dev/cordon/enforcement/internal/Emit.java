package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEvent;
import dev.cordon.avro.DirectiveChange;
import dev.cordon.avro.DirectiveImpact;
import dev.cordon.avro.RevocationCommand;
import dev.cordon.avro.SessionEvent;

/**
 * What a processor forwards: one value type per output, routed to its topic by the topology's
 * {@code route-*} split (the record key is the output key; dead letters carry their raw key themselves).
 * Never serialized.
 */
public sealed interface Emit {
    /** To revocation-commands, key sessionId. */
    record Command(RevocationCommand command) implements Emit {
    }

    /** To audit-log, key = the entry's subject. */
    record Audit(AuditEvent event) implements Emit {
    }

    /** To directive-impacts, key directiveId. */
    record Impact(DirectiveImpact impact) implements Emit {
    }

    /** To dead-letters: the unreadable record's raw key and value; provenance travels in the record headers. */
    record DeadLetter(byte[] key, byte[] value) implements Emit {
    }

    /** A decoded session event, to the re-keying repartition (key sessionId). */
    record Session(SessionEvent event) implements Emit {
    }

    /** A decoded directive change, to the multicast repartition. */
    record Directive(DirectiveChange change) implements Emit {
    }
}
