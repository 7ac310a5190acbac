package com.flashsale.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code java -jar target/flashsale.jar local} run (embedded PostgreSQL, node processes, nginx)
 * on free loopback ports, operated through the jar's own {@code local add-node | stop-node | ...}
 * commands, as an operator would. Needs {@code mvn package} first (failsafe tests run after it).
 */
public final class LocalClusterProcess implements AutoCloseable {

  public static final Path JAR = Path.of("target", "flashsale.jar");

  private final Process process;
  private final Path data;
  private final Path log;
  public final int entryPort;
  public final int clusterBase;
  public final int managementBase;

  private LocalClusterProcess(Process process, Path data, Path log, int entryPort, int clusterBase, int managementBase) {
    this.process = process;
    this.data = data;
    this.log = log;
    this.entryPort = entryPort;
    this.clusterBase = clusterBase;
    this.managementBase = managementBase;
  }

  /**
   * Starts {@code nodes} nodes (with any further {@code local} options) and waits until the local run says it is
   * running (demo data created).
   */
  public static LocalClusterProcess start(Path data, int nodes, Map<String, String> env, String... options)
      throws IOException, InterruptedException {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run `mvn package` (failsafe tests run after it)");
    }
    int entry = freePortRange(12);
    int cluster = freePortRange(12);
    int management = freePortRange(12);
    Path log = data.resolve("local.log");
    Files.createDirectories(data);
    ProcessBuilder builder = new ProcessBuilder(java(), "-jar", JAR.toString(), "local", "--nodes", Integer.toString(nodes),
        "--data", data.toString(), "--http-port", Integer.toString(entry), "--cluster-port", Integer.toString(cluster),
        "--management-port", Integer.toString(management), "--db-port", "0");
    builder.command().addAll(List.of(options));
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    LocalClusterProcess local = new LocalClusterProcess(builder.start(), data, log, entry, cluster, management);
    try {
      Eventually.eventually(Duration.ofMinutes(5), () -> {
        if (!local.process.isAlive()) {
          throw new IllegalStateException("`flashsale local` exited");
        }
        assertThat(local.log()).contains("FlashSale is running");
      });
    } catch (RuntimeException | AssertionError notStarted) {
      String output = local.log();
      local.close();
      throw new IllegalStateException("`flashsale local` did not start:\n" + output, notStarted);
    }
    return local;
  }

  public ApiClient api() {
    return ApiClient.forPort(entryPort);
  }

  /** Runs {@code flashsale local <args> --data <data>} and returns its output; fails on a non-zero exit. */
  public String control(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", JAR.toString(), "local"));
    command.addAll(List.of(args));
    command.addAll(List.of("--data", data.toString()));
    Process control = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(control.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (control.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", args) + " failed:\n" + output);
    }
    return output;
  }

  /**
   * The nodes (by number) node {@code observer} sees as Up members, as its Akka Management
   * {@code /cluster/members} says; empty while that says anything is unreachable.
   */
  public java.util.SortedSet<Integer> upMembers(int observer) {
    ApiClient.Response response = ApiClient.forPort(managementBase + observer).get("/cluster/members", null);
    java.util.SortedSet<Integer> up = new java.util.TreeSet<>();
    if (response.status() != 200 || !response.json().get("unreachable").isEmpty()) {
      return up;
    }
    response.json().get("members").forEach(member -> {
      String address = member.get("node").asText();
      if (member.get("status").asText().equals("Up")) {
        up.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)) - clusterBase);
      }
    });
    return up;
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path data() {
    return data;
  }

  /** The first admin's password: the environment's, else the one the run generated for its data directory. */
  public String adminPassword() {
    Properties secrets = new Properties();
    try (java.io.Reader reader = Files.newBufferedReader(data.resolve("secrets.properties"))) {
      secrets.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return secrets.getProperty("FLASHSALE_ADMIN_PASSWORD", System.getenv("FLASHSALE_ADMIN_PASSWORD"));
  }

  /** SIGTERM (the local run stops nginx, its nodes and PostgreSQL); anything left after 2 minutes is killed. */
  @Override
  public void close() throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** The first port of the kernel's ephemeral range (Linux), or 32768 where it cannot be read. */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > 12_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * A base port P such that P .. P + span - 1 are free on loopback now, below the kernel's ephemeral range: the
   * processes take these ports seconds later, and a port in that range may meanwhile be handed to an outgoing
   * connection (seen once in CI: "Address already in use" for a node's HTTP port).
   */
  public static int freePortRange(int span) {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(10_000, below - span);
      if (allFree(base, span)) {
        return base;
      }
    }
    throw new IllegalStateException("no free range of " + span + " ports");
  }

  private static boolean allFree(int base, int span) {
    for (int port = base; port < base + span; port++) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
      } catch (IOException busy) {
        return false;
      }
    }
    return true;
  }
}
