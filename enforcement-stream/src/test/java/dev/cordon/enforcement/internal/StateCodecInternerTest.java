package dev.cordon.enforcement.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** {@link StateCodec.Interner}: one instance per repeated string, bounded, and the text always right. */
class StateCodecInternerTest {

    private static BinaryDecoder strings(String... values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        for (String v : values) {
            encoder.writeString(v);
        }
        encoder.flush();
        return DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null);
    }

    @Test
    void shouldReturnTheSameInstanceForARepeatedStringAndKeepAtMostItsCapacity() throws IOException {
        StateCodec.Interner interner = new StateCodec.Interner(2);
        BinaryDecoder in = strings("fable-5", "mythos-5", "fable-5", "other", "other", "mythos-5");
        String a1 = interner.read(in);
        String b1 = interner.read(in);
        String a2 = interner.read(in);
        String c1 = interner.read(in);
        String c2 = interner.read(in);
        String b2 = interner.read(in);
        assertThat(java.util.List.of(a1, b1, a2, c1, c2, b2))
                .containsExactly("fable-5", "mythos-5", "fable-5", "other", "other", "mythos-5");
        assertThat(a2).isSameAs(a1);
        assertThat(b2).isSameAs(b1);
        assertThat(c2).as("a third distinct string is past the capacity of 2: read, not kept").isNotSameAs(c1);
    }

    @Test
    void shouldReadAShorterStringAfterALongerOneAndNonAsciiText() throws IOException {
        StateCodec.Interner interner = new StateCodec.Interner(16);
        BinaryDecoder in = strings("a-much-longer-resource-name", "ab", "", "ü-ñ 🚀", "ab");
        assertThat(java.util.List.of(interner.read(in), interner.read(in), interner.read(in), interner.read(in), interner.read(in)))
                .containsExactly("a-much-longer-resource-name", "ab", "", "ü-ñ 🚀", "ab");
    }
}
