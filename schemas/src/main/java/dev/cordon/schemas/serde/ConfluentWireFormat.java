package dev.cordon.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format (Confluent docs, "Formats, Serializers, and Deserializers", Wire format):
 * byte 0 is the magic byte {@code 0x00}, bytes 1–4 the schema id as a big-endian int32, then the
 * plain Avro binary encoding of the value (no container-file header).
 */
public final class ConfluentWireFormat {
    /** Byte 0 of every framed value. */
    public static final byte MAGIC_BYTE = 0x00;
    /** Magic byte plus 4-byte schema id, in bytes. */
    public static final int HEADER_SIZE = 5;

    private ConfluentWireFormat() {
    }

    /**
     * Reads the schema id of a framed value.
     *
     * @param framed a value in the Confluent wire format
     * @return the schema id (bytes 1–4, big-endian)
     * @throws SerializationException when {@code framed} is shorter than the header or byte 0 is not
     *                                {@code 0x00}
     */
    public static int schemaId(byte[] framed) {
        if (framed.length >= 1 && framed[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "unknown magic byte 0x%02x at offset 0; expected 0x00 (Confluent wire format)", framed[0] & 0xff));
        }
        if (framed.length < HEADER_SIZE) {
            throw new SerializationException("record of " + framed.length + " bytes is too short for the Confluent wire "
                    + "format header (" + HEADER_SIZE + " bytes: magic byte 0x00, then a 4-byte big-endian schema id)");
        }
        return ((framed[1] & 0xff) << 24) | ((framed[2] & 0xff) << 16) | ((framed[3] & 0xff) << 8) | (framed[4] & 0xff);
    }

    /** Writes the 5-byte header for {@code schemaId} into {@code target[0..4]}. */
    static void writeHeader(byte[] target, int schemaId) {
        target[0] = MAGIC_BYTE;
        target[1] = (byte) (schemaId >>> 24);
        target[2] = (byte) (schemaId >>> 16);
        target[3] = (byte) (schemaId >>> 8);
        target[4] = (byte) schemaId;
    }
}
