package com.flashsale.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The nginx of a local cluster: the repository's {@code nginx/nginx.conf} (packaged in the jar) with
 * this run's entry port, node list and file paths, run by the distribution's nginx binary. Routing a
 * new node list rewrites the file and reloads nginx gracefully (requests in flight finish on the old
 * workers).
 *
 * <p>nginx's temporary files go to a directory of their own under the system's temporary directory, not under
 * {@code directory}: nginx writes a chunked request body to a file once the body and its chunk framing fill its
 * 64 KiB buffer (a body over the limit, but also one within it sent in small chunks), and run by root its workers
 * are {@code nobody}, who cannot enter a data directory under {@code /root} or made by {@code mktemp -d}. Every such
 * body was then a 500, which nginx.conf reports as 503 OVERLOADED, where the answer is 413 or the node's.
 */
final class LocalNginx implements AutoCloseable {

  static final String TEMPLATE = "/nginx/nginx.conf";
  private static final String NODES_BEGIN = "# FLASHSALE-NODES-BEGIN";
  private static final String NODES_END = "# FLASHSALE-NODES-END";
  private static final String LIMIT_BEGIN = "# FLASHSALE-LIMIT-BEGIN";
  private static final String LIMIT_END = "# FLASHSALE-LIMIT-END";
  /** The lines from a nodes marker to the next end marker, both included. */
  private static final Pattern NODES_BLOCK = Pattern.compile(
      "(?ms)^[^\\n]*" + Pattern.quote(NODES_BEGIN) + ".*?" + Pattern.quote(NODES_END) + "[^\\n]*\\n");
  /** A server line of the template: its address, then the parameters kept for every node. */
  private static final Pattern SERVER = Pattern.compile("(?m)^\\s*server\\s+\\S+?([^;\\S][^;]*)?;");

  private final Path binary;
  private final Path directory;
  private final Path temporary;
  private final int port;
  private final boolean rateLimits;
  private final Process process;

  private LocalNginx(Path binary, Path directory, Path temporary, int port, boolean rateLimits, Process process) {
    this.binary = binary;
    this.directory = directory;
    this.temporary = temporary;
    this.port = port;
    this.rateLimits = rateLimits;
    this.process = process;
  }

  /** The nginx binary: FLASHSALE_NGINX, else {@code nginx} on the PATH or in /usr/sbin. */
  static Optional<Path> find(String configured, String path) {
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured)).filter(Files::isExecutable);
    }
    List<String> directories = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
    directories.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"));
    return directories.stream().filter(d -> !d.isBlank()).map(d -> Path.of(d, "nginx"))
        .filter(Files::isExecutable).findFirst();
  }

  /** Starts nginx on loopback {@code port} in front of the nodes listening on {@code nodePorts}. */
  static LocalNginx start(Path binary, Path directory, int port, boolean rateLimits, List<Integer> nodePorts)
      throws IOException, InterruptedException {
    Files.createDirectories(directory);
    Path temporary = temporaryDirectory();
    try {
      Path config = directory.resolve("nginx.conf");
      Files.writeString(config, render(template(), directory, temporary, port, rateLimits, nodePorts));
      checkConfig(binary, directory);
      Process process = new ProcessBuilder(binary.toString(), "-p", directory.toString(), "-c", config.toString(),
          "-e", directory.resolve("error.log").toString(), "-g", "daemon off;")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("error.log").toFile()))
          .start();
      awaitListening(process, port, directory);
      return new LocalNginx(binary, directory, temporary, port, rateLimits, process);
    } catch (IOException | RuntimeException | InterruptedException e) {
      delete(temporary);
      throw e;
    }
  }

  /**
   * A new directory for nginx's temporary files that its workers can reach whoever they run as: others may pass
   * through it but not list it, and nginx makes its own subdirectories there, for its workers' user alone.
   */
  private static Path temporaryDirectory() throws IOException {
    Path temporary = Files.createTempDirectory("flashsale-nginx-");
    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwx--x--x"));
    return temporary;
  }

  private static void delete(Path tree) {
    try (Stream<Path> paths = Files.walk(tree)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException leftBehind) {
      // a few empty directories in the system's temporary directory
    }
  }

  private static void awaitListening(Process process, int port, Path directory) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (process.isAlive() && System.nanoTime() < deadline) {
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IOException("nginx did not start listening on port " + port + "; see " + directory.resolve("error.log"));
  }

  int port() {
    return port;
  }

  /** Sends requests to exactly these nodes from now on (graceful reload). */
  synchronized void route(List<Integer> nodePorts) throws IOException, InterruptedException {
    Files.writeString(directory.resolve("nginx.conf"),
        render(template(), directory, temporary, port, rateLimits, nodePorts));
    checkConfig(binary, directory);
    run(binary.toString(), "-p", directory.toString(), "-c", directory.resolve("nginx.conf").toString(),
        "-e", directory.resolve("error.log").toString(), "-s", "reload");
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    delete(temporary);
  }

  /**
   * The local configuration: the template with its upstreams' servers replaced by {@code nodePorts} on loopback,
   * listening on {@code port} (loopback only), its pid and log under {@code directory}, its temporary files
   * under {@code temporary}, and with {@code rateLimits} off the per-IP limits disabled (nginx does not count
   * requests whose key is empty).
   */
  static String render(String template, Path directory, Path temporary, int port, boolean rateLimits,
      List<Integer> nodePorts) {
    String limits = block(template, LIMIT_BEGIN, LIMIT_END);
    String limit = rateLimits ? limits : limits.replace("$binary_remote_addr", "\"\"");
    String d = directory.toAbsolutePath().toString();
    String t = temporary.toAbsolutePath().toString();
    String paths = "  client_body_temp_path " + t + "/body;\n  proxy_temp_path " + t + "/proxy;\n"
        + "  fastcgi_temp_path " + t + "/fastcgi;\n  uwsgi_temp_path " + t + "/uwsgi;\n"
        + "  scgi_temp_path " + t + "/scgi;\n";
    String rendered = replaceBlock(withNodes(template, port, nodePorts), LIMIT_BEGIN, LIMIT_END, limit);
    rendered = requireReplace(rendered, "listen 8080 ", "listen 127.0.0.1:" + port + " ");
    rendered = requireReplace(rendered, "http {\n", "http {\n" + paths);
    return "pid " + d + "/nginx.pid;\nerror_log " + d + "/error.log warn;\n" + rendered;
  }

  /**
   * Every upstream's server lines (between the nodes markers) replaced by {@code nodePorts} on loopback, each
   * with the parameters the template gives its first server there ({@code max_conns} and the like).
   */
  private static String withNodes(String template, int port, List<Integer> nodePorts) {
    Matcher block = NODES_BLOCK.matcher(template);
    StringBuilder rendered = new StringBuilder();
    boolean found = false;
    while (block.find()) {
      found = true;
      Matcher first = SERVER.matcher(block.group());
      if (!first.find()) {
        throw new IllegalStateException("nginx.conf has no server line between " + NODES_BEGIN + " and " + NODES_END);
      }
      String parameters = first.group(1) == null ? "" : first.group(1);
      StringBuilder servers = new StringBuilder();
      for (int nodePort : nodePorts) {
        servers.append("    server 127.0.0.1:").append(nodePort).append(parameters).append(";\n");
      }
      if (nodePorts.isEmpty()) {
        // nginx needs a server in an upstream: one that is down makes every request a 503 problem.
        servers.append("    server 127.0.0.1:").append(port).append(" down;\n");
      }
      block.appendReplacement(rendered, Matcher.quoteReplacement(servers.toString()));
    }
    if (!found) {
      throw new IllegalStateException("nginx.conf lacks the " + NODES_BEGIN + " / " + NODES_END + " markers");
    }
    return block.appendTail(rendered).toString();
  }

  /** Replaces the lines from the one holding {@code begin} to the one holding {@code end}. */
  /** The lines between the marker lines {@code begin} and {@code end}. */
  private static String block(String text, String begin, String end) {
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalStateException("nginx.conf lacks the " + begin + " / " + end + " markers");
    }
    return text.substring(text.indexOf('\n', from) + 1, text.lastIndexOf('\n', to) + 1);
  }

  private static String replaceBlock(String text, String begin, String end, String replacement) {
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalStateException("nginx.conf lacks the " + begin + " / " + end + " markers");
    }
    int lineStart = text.lastIndexOf('\n', from) + 1;
    int lineEnd = text.indexOf('\n', to);
    return text.substring(0, lineStart) + replacement + text.substring(lineEnd + 1);
  }

  private static String requireReplace(String text, String target, String replacement) {
    if (!text.contains(target)) {
      throw new IllegalStateException("nginx.conf lacks '" + target.strip() + "'");
    }
    return text.replace(target, replacement);
  }

  static String template() {
    try (InputStream in = LocalNginx.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException(TEMPLATE + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkConfig(Path binary, Path directory) throws IOException, InterruptedException {
    run(binary.toString(), "-t", "-q", "-p", directory.toString(), "-c", directory.resolve("nginx.conf").toString(),
        "-e", directory.resolve("error.log").toString());
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
  }
}
