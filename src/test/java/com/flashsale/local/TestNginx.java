package com.flashsale.local;

import com.flashsale.testing.ApiClient;
import com.flashsale.testing.TestNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real nginx of nginx/nginx.conf, as {@code flashsale.jar local} runs it ({@link LocalNginx}), in front of
 * test nodes, for tests outside this package. Its configuration, pid and log live in a temporary directory
 * removed on close.
 */
public final class TestNginx implements AutoCloseable {

  private final Path directory;
  private final LocalNginx nginx;

  private TestNginx(Path directory, LocalNginx nginx) {
    this.directory = directory;
    this.nginx = nginx;
  }

  /**
   * Starts nginx on a free loopback port in front of the nodes on {@code nodePorts}; with {@code rateLimits}
   * off, its per-address limits count nothing (every test client is 127.0.0.1).
   */
  public static TestNginx start(List<Integer> nodePorts, boolean rateLimits) {
    Path binary = LocalNginx.find(System.getenv("FLASHSALE_NGINX"), System.getenv("PATH"))
        .orElseThrow(() -> new AssertionError("nginx is not installed (apt-get install nginx-light); see README"));
    try {
      Path directory = Files.createTempDirectory("test-nginx");
      return new TestNginx(directory, LocalNginx.start(binary, directory, TestNodes.freePort(), rateLimits, nodePorts));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return nginx.port();
  }

  public ApiClient api() {
    return ApiClient.forPort(port());
  }

  @Override
  public void close() throws InterruptedException {
    nginx.close();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException leftBehind) {
      // a few files in the temporary directory
    }
  }
}
