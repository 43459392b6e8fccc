package dev.cordon.enforcement.internal;

import dev.cordon.avro.AuditEventType;
import dev.cordon.schemas.TopicNames;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Unreadable input (DESIGN.md "Outputs", STYLE.md 10): forward the raw record to dead-letters with provenance
 * headers ({@code TopicNames.HEADER_DLQ_*}) and audit {@code INPUT_UNREADABLE}; processing continues.
 */
final class DeadLetters {
    private static final int MAX_MESSAGE = 1000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    static void forward(ProcessorContext<String, Emit> context, Auditor auditor, Record<byte[], byte[]> record,
                        Exception error, long nowMs) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String topic = meta == null ? "" : meta.topic();
        String partition = meta == null ? "-1" : Integer.toString(meta.partition());
        String offset = meta == null ? "-1" : Long.toString(meta.offset());
        String message = String.valueOf(error.getMessage());
        if (message.length() > MAX_MESSAGE) {
            message = message.substring(0, MAX_MESSAGE);
        }
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.add(TopicNames.HEADER_DLQ_TOPIC, utf8(topic));
        headers.add(TopicNames.HEADER_DLQ_PARTITION, utf8(partition));
        headers.add(TopicNames.HEADER_DLQ_OFFSET, utf8(offset));
        headers.add(TopicNames.HEADER_DLQ_EXCEPTION, utf8(error.getClass().getName()));
        headers.add(TopicNames.HEADER_DLQ_MESSAGE, utf8(message));
        context.forward(new Record<String, Emit>(null, new Emit.DeadLetter(record.key(), record.value()), nowMs, headers));

        String subject = topic + "-" + partition + "@" + offset;
        LOG.atWarn().addKeyValue("topic", topic).addKeyValue("partition", partition).addKeyValue("offset", offset)
                .addKeyValue("exception", error.getClass().getName())
                .log("dead-lettered {}: {}", subject, message);
        var audit = auditor.event(AuditEventType.INPUT_UNREADABLE, nowMs)
                .detail("topic", topic)
                .detail("partition", partition)
                .detail("offset", offset)
                .detail("exception", error.getClass().getName())
                .detail("message", message)
                .build();
        context.forward(new Record<String, Emit>(subject, new Emit.Audit(audit), nowMs, new RecordHeaders()));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
