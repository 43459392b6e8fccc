# Image of the cordon command (all three services and the tools). Build the jar first:
#   ./mvnw -B -DskipTests package && docker build -t cordon:dev .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 cordon
COPY cli/target/cordon.jar /opt/cordon/cordon.jar
USER cordon
WORKDIR /home/cordon
ENTRYPOINT ["java", "-jar", "/opt/cordon/cordon.jar"]
