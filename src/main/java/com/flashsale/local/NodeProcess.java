package com.flashsale.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One node of a local cluster: a {@code flashsale node} process started from this very jar (or class
 * path), configured through the same FLASHSALE_* environment variables an operator would set, its
 * output appended to {@code logs/node-<i>.log}. Stopping sends SIGTERM (the node leaves the cluster and
 * hands its shards over), killing sends SIGKILL.
 */
final class NodeProcess {

  /** JVM options of every node; FLASHSALE_NODE_JAVA_OPTS replaces them. */
  static final String DEFAULT_JAVA_OPTS = "-Xmx1g -XX:+ExitOnOutOfMemoryError";

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final int index;
  private final int httpPort;
  private final Process process;
  private final Path log;

  private NodeProcess(int index, int httpPort, Process process, Path log) {
    this.index = index;
    this.httpPort = httpPort;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts node {@code index}; it joins the cluster through {@code seedClusterPorts} (its own port
   * when it is the first node, which then forms the cluster).
   */
  static NodeProcess launch(int index, LocalPorts ports, List<Integer> seedClusterPorts, Map<String, String> env,
      Path logDirectory) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String javaOpts = env.getOrDefault("FLASHSALE_NODE_JAVA_OPTS", DEFAULT_JAVA_OPTS);
    for (String option : javaOpts.strip().split("\\s+")) {
      if (!option.isEmpty()) {
        command.add(option);
      }
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.flashsale.Main", "node"));

    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    builder.environment().put("FLASHSALE_HTTP_HOST", "127.0.0.1");
    builder.environment().put("FLASHSALE_HTTP_PORT", Integer.toString(ports.http(index)));
    builder.environment().put("FLASHSALE_CLUSTER_HOST", "127.0.0.1");
    builder.environment().put("FLASHSALE_CLUSTER_PORT", Integer.toString(ports.cluster(index)));
    builder.environment().put("FLASHSALE_MANAGEMENT_PORT", Integer.toString(ports.management(index)));
    builder.environment().put("FLASHSALE_SEED_NODES", String.join(",",
        seedClusterPorts.stream().map(port -> "127.0.0.1:" + port).toList()));
    Path log = logDirectory.resolve("node-" + index + ".log");
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new NodeProcess(index, ports.http(index), builder.start(), log);
  }

  int index() {
    return index;
  }

  int httpPort() {
    return httpPort;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until the node answers {@code /health/ready} (an Up cluster member); false if it died or took too long. */
  boolean awaitReady(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
        .timeout(Duration.ofSeconds(2)).build();
    while (Instant.now().isBefore(deadline) && process.isAlive()) {
      try {
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return true;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    return false;
  }

  /** SIGTERM, then waits for the graceful leave; SIGKILL if it outlasts {@code timeout}. Returns the exit code. */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    return process.exitValue();
  }

  /** SIGKILL: the node dies at once, as in a crash. */
  int kill() throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor();
  }

  java.util.concurrent.CompletableFuture<Process> onExit() {
    return process.onExit();
  }
}
