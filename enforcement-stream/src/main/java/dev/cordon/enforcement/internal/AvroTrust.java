package dev.cordon.enforcement.internal;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to load classes named by a schema unless trusted (CVE-2024-47561 hardening), and the
 * SpecificRecord readers resolve the generated contract classes by name. This adds
 * {@value #PACKAGE} to the JVM-wide trusted set, keeping whatever was trusted before. Idempotent.
 */
public final class AvroTrust {
    /** Package of the generated contract classes. */
    public static final String PACKAGE = "dev.cordon.avro.";
    private static boolean done;

    private AvroTrust() {
    }

    /** Trusts the contract classes (once per JVM). */
    public static synchronized void ensure() {
        if (done) {
            return;
        }
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
                type -> type.getName().startsWith(PACKAGE)));
        done = true;
    }
}
