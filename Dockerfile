# syntax=docker/dockerfile:1
# The FlashSale node image: the README's build in a Maven + JDK 17 image, its jar on a JRE 17 image.
# docker-compose.yml builds it (build: .) and runs it three times; `docker build -t flashsale .` works alone.
# DockerComposeTest checks this file against the README and docker-compose.yml.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml ./
COPY src ./src
# The pom packages nginx/nginx.conf into the jar too (the template of `flashsale.jar local`'s nginx).
COPY nginx ./nginx
# ...and app/, the browser front end every node serves.
COPY app ./app
# The README's build command; the cache mount keeps ~/.m2 between builds (BuildKit, the default builder).
RUN --mount=type=cache,target=/root/.m2 mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
# curl probes /health/ready for the health checks: installed here because not every tag of the base
# image ships it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin flashsale
WORKDIR /app
COPY --from=build /build/target/flashsale.jar /app/flashsale.jar
USER flashsale
# HTTP (FLASHSALE_HTTP_PORT), Akka remoting (FLASHSALE_CLUSTER_PORT), Akka Management (FLASHSALE_MANAGEMENT_PORT).
EXPOSE 8080 25520 8558
# java is PID 1, so SIGTERM (docker stop) reaches the node, which leaves the cluster gracefully.
# More JVM options: JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/flashsale.jar"]
CMD ["node"]
