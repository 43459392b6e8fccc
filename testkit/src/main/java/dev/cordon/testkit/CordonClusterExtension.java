package dev.cordon.testkit;

import dev.cordon.testkit.internal.ContainersCluster;
import dev.cordon.testkit.internal.DockerSupport;
import dev.cordon.testkit.internal.EmbeddedCluster;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving integration tests their {@link CordonCluster}: Testcontainers (Kafka, Confluent
 * Schema Registry, PostgreSQL) when Docker is available, otherwise the embedded stack. One cluster is started
 * for the whole test run (in the root extension store) and stopped when the run ends; which backend runs and
 * why is printed on standard output and published as the report entry {@code cordon.cluster}.
 *
 * <p>Choice, from system property {@value #BACKEND_PROPERTY} or environment variable {@value #BACKEND_ENV}:
 * {@code auto} (default: containers when Docker answers, embedded otherwise), {@code containers} (fail when Docker
 * is not available), {@code embedded}.
 *
 * @see WithCordonCluster
 */
public final class CordonClusterExtension implements BeforeAllCallback, ParameterResolver {
    /** System property choosing the backend: auto | containers | embedded. */
    public static final String BACKEND_PROPERTY = "cordon.testkit.backend";
    /** Environment variable choosing the backend (below the system property). */
    public static final String BACKEND_ENV = "CORDON_TESTKIT_BACKEND";
    /** Partitions of the session-keyed topics in the test cluster. */
    public static final int SESSION_PARTITIONS = 4;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CordonClusterExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        CordonCluster cluster = cluster(context);
        context.publishReportEntry("cordon.cluster", cluster.describe());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
        return parameter.getParameter().getType() == CordonCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) throws ParameterResolutionException {
        return cluster(extension);
    }

    private static CordonCluster cluster(ExtensionContext context) {
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        return store.getOrComputeIfAbsent("cluster", key -> new Holder(start()), Holder.class).cluster;
    }

    /** Starts the chosen backend (see the class comment). */
    static CordonCluster start() {
        String choice = Optional.ofNullable(System.getProperty(BACKEND_PROPERTY))
                .or(() -> Optional.ofNullable(System.getenv(BACKEND_ENV)))
                .orElse("auto").trim().toLowerCase(Locale.ROOT);
        CordonCluster cluster = switch (choice) {
            case "embedded" -> EmbeddedCluster.start(SESSION_PARTITIONS, BACKEND_PROPERTY + "=embedded");
            case "containers" -> {
                DockerSupport.Status docker = DockerSupport.status();
                if (!docker.available()) {
                    throw new IllegalStateException(BACKEND_PROPERTY + "=containers but " + docker.reason());
                }
                yield ContainersCluster.start(SESSION_PARTITIONS, BACKEND_PROPERTY + "=containers");
            }
            case "auto" -> {
                DockerSupport.Status docker = DockerSupport.status();
                yield docker.available()
                        ? ContainersCluster.start(SESSION_PARTITIONS, "Docker available")
                        : EmbeddedCluster.start(SESSION_PARTITIONS, docker.reason());
            }
            default -> throw new IllegalArgumentException(BACKEND_PROPERTY + "='" + choice
                    + "' is not a backend; expected auto, containers or embedded");
        };
        System.out.println(cluster.describe());
        System.out.flush();
        return cluster;
    }

    /** Closes the cluster when the root store closes (end of the test run). */
    private record Holder(CordonCluster cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() throws Exception {
            if (cluster instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }
}
