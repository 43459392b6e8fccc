# Image of the cordon command: every service (ingest, stream, audit-sink, caep) and the tools.
# Build the jar first:  ./mvnw -B -DskipTests package && docker build -t cordon:dev .
FROM eclipse-temurin:17-jre
# curl for the compose health checks; a non-root user whose home holds keys and state (named volumes
# mounted there inherit this ownership).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /home/cordon cordon \
 && mkdir -p /home/cordon/.cordon /home/cordon/state \
 && chown -R cordon /home/cordon
COPY cli/target/cordon.jar /opt/cordon/cordon.jar
USER cordon
WORKDIR /home/cordon
# Heap from the container's memory limit (the JVM reads JAVA_TOOL_OPTIONS itself; not a CORDON_* setting).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
ENTRYPOINT ["java", "-jar", "/opt/cordon/cordon.jar"]
