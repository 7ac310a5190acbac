package com.flashsale.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (Debian package) with {@code bench/purchase-storm.lua}: closed loop, each connection sending its
 * next request when the last is answered, the script counting statuses and timing itself from its first request
 * to its last answer. Used by the measuring tools, never by tests.
 */
final class Wrk {

  /** The script's summary line, read. */
  record Run(String line, long requests, double seconds, double p99Ms, long created, long conflicts, long errors) {

    double perSecond() {
      return requests / Math.max(seconds, 1e-3);
    }

    double createdPerSecond() {
      return created / Math.max(seconds, 1e-3);
    }

    private static final Pattern SUMMARY = Pattern.compile(
        "STORM attempts=(\\d+) seconds=([0-9.]+) .* p99_ms=([0-9.]+) .* s201=(\\d+) .* s409=(\\d+) .* errors=(\\d+)");

    static Run parse(String line) {
      Matcher m = SUMMARY.matcher(line);
      if (!m.find()) {
        throw new IllegalStateException("not a summary line: " + line);
      }
      return new Run(line, Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
          Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)));
    }
  }

  private Wrk() {}

  /**
   * Purchases at {@code saleId} by the buyers of {@code tokensFile} in turn, until {@code attemptsPerThread}
   * answers per thread or {@code seconds} have passed.
   */
  static Run purchases(String url, Path tokensFile, String saleId, long attemptsPerThread, int threads,
      int connections, int seconds) throws IOException, InterruptedException {
    return run(url, threads, connections, seconds, List.of(tokensFile.toString(), saleId,
        String.valueOf(attemptsPerThread), String.valueOf(threads)));
  }

  /** A run of wrk. */
  interface Load {
    Run run() throws IOException, InterruptedException;
  }

  /**
   * The loads run at once, each waited for on a thread of its own (not the common pool: that is where the
   * tools' HTTP client completes its calls); their figures in the loads' order.
   */
  static List<Run> atOnce(List<Load> loads) {
    ExecutorService waiters = Executors.newFixedThreadPool(loads.size());
    try {
      List<CompletableFuture<Run>> runs = new ArrayList<>();
      for (Load load : loads) {
        runs.add(CompletableFuture.supplyAsync(() -> {
          try {
            return load.run();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }, waiters));
      }
      return runs.stream().map(CompletableFuture::join).toList();
    } finally {
      waiters.shutdown();
    }
  }

  /**
   * Purchases at {@code saleIds} (comma-separated: in turn) from one wrk per url at once, each with its own
   * buyers ({@code tokenFiles}, one per url), for {@code seconds}; their figures added up (seconds and p99: the
   * largest of them).
   */
  static Run purchasesAt(List<String> urls, List<Path> tokenFiles, String saleIds, int threads, int connections,
      int seconds) {
    List<Load> loads = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      String url = urls.get(i);
      Path tokens = tokenFiles.get(i);
      loads.add(() -> purchases(url, tokens, saleIds, Long.MAX_VALUE / 4, threads, connections, seconds));
    }
    List<Run> done = atOnce(loads);
    if (done.size() == 1) {
      return done.get(0);
    }
    return new Run(String.join(" | ", done.stream().map(Run::line).toList()),
        done.stream().mapToLong(Run::requests).sum(), done.stream().mapToDouble(Run::seconds).max().orElse(0),
        done.stream().mapToDouble(Run::p99Ms).max().orElse(0), done.stream().mapToLong(Run::created).sum(),
        done.stream().mapToLong(Run::conflicts).sum(), done.stream().mapToLong(Run::errors).sum());
  }

  /** {@code method path} for {@code seconds}, with the buyers' tokens in turn when {@code tokensFile} is given. */
  static Run requests(String url, Path tokensFile, String method, String path, int threads, int connections,
      int seconds) throws IOException, InterruptedException {
    return run(url, threads, connections, seconds, List.of(tokensFile == null ? "-" : tokensFile.toString(), "-",
        String.valueOf(Long.MAX_VALUE / 4), String.valueOf(threads), method, path));
  }

  private static Run run(String url, int threads, int connections, int seconds, List<String> scriptArgs)
      throws IOException, InterruptedException {
    Path script = Files.createTempFile("purchase-storm", ".lua");
    try (InputStream in = Wrk.class.getResourceAsStream("/bench/purchase-storm.lua")) {
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
        "--timeout", "10s", "-s", script.toString(), url, "--"));
    command.addAll(scriptArgs);
    Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor();
    Files.deleteIfExists(script);
    return Run.parse(output.lines().filter(l -> l.startsWith("STORM")).findFirst()
        .orElseThrow(() -> new IllegalStateException("wrk said: " + output)));
  }
}
