package dev.cordon.bench.micro;

import dev.cordon.avro.Condition;
import dev.cordon.avro.ConditionGroup;
import dev.cordon.avro.ConditionOp;
import dev.cordon.avro.Scope;
import dev.cordon.avro.SessionEvent;
import dev.cordon.avro.SessionEventType;
import dev.cordon.avro.Subject;
import dev.cordon.bench.internal.Workload;
import dev.cordon.enforcement.internal.ScopeMatcher;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One session × directive coverage evaluation ({@code ScopeMatcher.match}, DESIGN.md "Coverage") with the issue's
 * example scope (two resources, {@code nationality NOT_IN [US]}, an exempt role group) over 1,024 varied subjects.
 * Baseline: decoding the session's Avro binary, which a sweep pays per stored session anyway.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScopeMatcherBenchmark {
    private Scope scope;
    private Subject[] subjects;
    private String[] resources;
    private byte[][] encoded;
    private int i;
    private SpecificDatumReader<SessionEvent> reader;
    private BinaryDecoder decoder;

    @Setup
    public void setUp() throws IOException {
        dev.cordon.enforcement.internal.AvroTrust.ensure(); // Avro 1.12 refuses untrusted SpecificRecord classes
        reader = new SpecificDatumReader<>(SessionEvent.class);
        scope = Scope.newBuilder().setResources(List.of("fable-5", "mythos-5"))
                .setSubjects(List.of(ConditionGroup.newBuilder().setAll(List.of(Condition.newBuilder().setAttribute("nationality")
                        .setOp(ConditionOp.NOT_IN).setValues(List.of("US")).build())).build()))
                .setExempt(List.of(ConditionGroup.newBuilder().setAll(List.of(Condition.newBuilder().setAttribute("role")
                        .setOp(ConditionOp.IN).setValues(List.of("employee")).build())).build()))
                .build();
        subjects = new Subject[1024];
        resources = new String[1024];
        encoded = new byte[1024][];
        SpecificDatumWriter<SessionEvent> writer = new SpecificDatumWriter<>(SessionEvent.class);
        for (int k = 0; k < subjects.length; k++) {
            subjects[k] = Workload.subject(k);
            resources[k] = k % 3 == 0 ? "other-model" : (k % 2 == 0 ? "fable-5" : "mythos-5");
            SessionEvent e = Workload.event("s-" + k, SessionEventType.STARTED, resources[k], k, Instant.parse("2026-11-26T12:00:00Z"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            writer.write(e, enc);
            enc.flush();
            encoded[k] = out.toByteArray();
        }
    }

    @Benchmark
    public Optional<String> matchOneSessionAgainstOneDirective() {
        int k = i++ & 1023;
        return ScopeMatcher.match(scope, resources[k], subjects[k]);
    }

    @Benchmark
    public SessionEvent baselineDecodeOneStoredSession() throws IOException {
        int k = i++ & 1023;
        decoder = DecoderFactory.get().binaryDecoder(encoded[k], decoder);
        return reader.read(null, decoder);
    }
}
