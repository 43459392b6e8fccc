package dev.cordon.testkit.internal;

import org.testcontainers.DockerClientFactory;

/** Whether Testcontainers can reach a Docker engine, and if not, why (its own diagnosis). */
public final class DockerSupport {
    /** @param available Docker answers; @param reason why not, or "Docker available" */
    public record Status(boolean available, String reason) {
    }

    private DockerSupport() {
    }

    /** @return the status; never throws */
    public static Status status() {
        try {
            if (DockerClientFactory.instance().isDockerAvailable()) {
                return new Status(true, "Docker available");
            }
            return new Status(false, "Docker not available: Testcontainers found no working Docker environment"
                    + " (DOCKER_HOST, /var/run/docker.sock, ~/.testcontainers.properties)");
        } catch (Throwable e) {
            return new Status(false, "Docker not available: " + e);
        }
    }
}
