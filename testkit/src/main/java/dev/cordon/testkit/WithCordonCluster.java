package dev.cordon.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks an integration test class that receives a {@link CordonCluster} (as a parameter of its constructor,
 * lifecycle or test methods). Also tags it {@code integration}.
 *
 * <pre>{@code
 * @WithCordonCluster
 * class MyIT {
 *     @Test void shouldWork(CordonCluster cluster) { ... cluster.bootstrapServers() ... }
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CordonClusterExtension.class)
@Tag("integration")
public @interface WithCordonCluster {
}
