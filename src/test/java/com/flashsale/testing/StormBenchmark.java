package com.flashsale.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.account.Role;
import com.flashsale.account.TokenService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A purchase storm against a running node (e.g. {@code flashsale local}): creates a live sale as the
 * admin, mints buyer tokens with the node's secret, fires the attempts and prints what happened,
 * checked against the admin stats. A measuring tool, not a test; Gatling simulations come later.
 */
@Command(name = "storm", mixinStandardHelpOptions = true)
public final class StormBenchmark implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080") String url;
  @Option(names = "--secret", defaultValue = "flashsale-development-only-secret-do-not-use-in-production") String secret;
  @Option(names = "--admin-password", defaultValue = "admin-change-me") String adminPassword;
  @Option(names = "--attempts", defaultValue = "20000") int attempts;
  @Option(names = "--buyers", defaultValue = "10000") int buyers;
  @Option(names = "--stock", defaultValue = "1000") int stock;
  @Option(names = "--concurrency", defaultValue = "64") int concurrency;
  @Option(names = "--max-seconds", defaultValue = "40", description = "wrk's -d: an upper bound; wrk waits it out")
  int maxSeconds;
  @Option(names = "--sales", defaultValue = "1", description = "sales stormed at once") int sales;
  @Option(names = "--window", description = "also with one sale: sample /metrics and print the selling window")
  boolean window;
  @Option(names = "--tool", defaultValue = "wrk", description = "wrk (Debian package) or java") String tool;

  public static void main(String[] args) {
    System.exit(new CommandLine(new StormBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    ApiClient api = new ApiClient(url);
    String admin = api.post("/api/auth/login", null, Map.of("email", "admin@flashsale.local", "password", adminPassword))
        .json().get("token").asText();
    String productId = api.post("/api/admin/products", admin,
        Map.of("name", "Benchmark unit", "description", "", "price", "10.00")).json().get("id").asText();
    String saleId = api.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", stock,
        "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText();
    TokenService tokens = new TokenService(secret, Duration.ofHours(1), Clock.systemUTC());
    Map<String, String> buyerByToken = new HashMap<>();
    List<String> tokenList = new ArrayList<>();
    for (int i = 0; i < buyers; i++) {
      String buyer = UUID.randomUUID().toString();
      String token = tokens.issue(buyer, Role.CUSTOMER);
      buyerByToken.put(token, buyer);
      tokenList.add(token);
    }
    Storm.run(List.of(api), saleId, tokenList.subList(0, Math.min(200, buyers)), buyerByToken::get, 500, 16);

    String measuredSale = api.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", stock,
        "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText();
    if (sales > 1 || window) {
      return parallelSales(api, admin, productId, tokenList);
    }
    System.out.printf("storm: %d attempts by %d buyers for %d units, concurrency %d, load tool %s%n", attempts, buyers,
        stock, concurrency, tool);
    long reservations;
    if (tool.equals("wrk")) {
      String line = runWrk(measuredSale, tokenList);
      System.out.println("  " + line);
      reservations = Long.parseLong(line.replaceAll(".* s201=([0-9]+).*", "$1"));
    } else {
      Storm.Result result = Storm.run(List.of(api), measuredSale, tokenList, buyerByToken::get, attempts, concurrency);
      System.out.println("  " + result.summary());
      reservations = result.count(201);
    }
    JsonNode stats = api.get("/api/admin/sales/" + measuredSale + "/stats", admin).json();
    System.out.printf("  reservations answered 201: %d (stock %d); stats after: %s%n", reservations, stock, stats);
    return reservations == stock && stats.get("reserved").asInt() == stock ? 0 : 1;
  }

  /**
   * {@code --sales N}: N sales stormed at once (one wrk per sale), to drive more reservations per second
   * than one entity writes; meanwhile {@code /metrics}' projection lag is sampled every 50 ms.
   */
  private Integer parallelSales(ApiClient api, String admin, String productId, List<String> tokenList)
      throws IOException, InterruptedException {
    List<String> saleIds = new ArrayList<>();
    for (int i = 0; i < sales; i++) {
      saleIds.add(api.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", stock,
          "startsAt", Instant.now().minusSeconds(1).toString(),
          "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText());
    }
    // Every 50 ms: the projection lag gauge and the node's count of reservations, to find the selling window.
    List<double[]> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
    long t0 = System.nanoTime();
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        try {
        double lag = Double.NaN;
        double reserved = Double.NaN;
        for (String line : api.get("/metrics", null).body().lines().toList()) {
          if (line.startsWith("flashsale_projection_lag_seconds")) {
            lag = lastNumber(line);
          } else if (line.startsWith("flashsale_purchases_total{outcome=\"reserved\"")) {
            reserved = lastNumber(line);
          }
        }
        samples.add(new double[] {(System.nanoTime() - t0) / 1e9, lag, reserved});
        } catch (RuntimeException e) {
          e.printStackTrace();
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      }
    });
    sampler.start();
    java.util.concurrent.ExecutorService wrkWaiters = java.util.concurrent.Executors.newFixedThreadPool(sales);
    List<java.util.concurrent.CompletableFuture<String>> runs = new ArrayList<>();
    for (String saleId : saleIds) {
      List<String> shuffled = new ArrayList<>(tokenList);
      java.util.Collections.shuffle(shuffled);
      runs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return runWrk(saleId, shuffled, sales == 1 ? 2 : 1, concurrency / sales);
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, wrkWaiters)); // not the common pool: that is where the HTTP client completes the sampler's calls
    }
    long reservations = 0;
    for (var run : runs) {
      String line = run.join();
      System.out.println("  " + line);
      reservations += Long.parseLong(line.replaceAll(".* s201=([0-9]+).*", "$1"));
    }
    wrkWaiters.shutdown();
    sampling.set(false);
    sampler.join();
    printSellingWindow(samples, reservations);
    return reservations == (long) stock * sales ? 0 : 1;
  }

  /**
   * The selling window runs from the first sample that counted a new reservation to the first that counted
   * them all; the reservation rate is over that window, and the lag percentiles are of the samples in it.
   */
  private static void printSellingWindow(List<double[]> samples, long reservations) {
    double base = samples.get(0)[2];
    double from = Double.NaN;
    double to = Double.NaN;
    List<Double> lags = new ArrayList<>();
    for (double[] sample : samples) {
      if (Double.isNaN(from) && sample[2] > base) {
        from = sample[0];
      }
      if (!Double.isNaN(from) && Double.isNaN(to)) {
        lags.add(sample[1]);
        if (sample[2] >= base + reservations) {
          to = sample[0];
        }
      }
    }
    double[] sorted = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("  SELLING reservations=%d seconds=%.2f reservations_per_s=%.0f; projection lag over %d samples "
            + "(every 50 ms): p50 %.3f s, p99 %.3f s, max %.3f s%n", reservations, to - from,
        reservations / (to - from), sorted.length, sorted[sorted.length / 2],
        sorted[(int) Math.ceil(sorted.length * 0.99) - 1], sorted[sorted.length - 1]);
  }

  private static double lastNumber(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  private String runWrk(String saleId, List<String> tokenList) throws IOException, InterruptedException {
    return runWrk(saleId, tokenList, 2, concurrency);
  }

  /** Runs wrk with the purchase-storm script; answers its summary line. */
  private String runWrk(String saleId, List<String> tokenList, int threads, int connections)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("storm");
    Path tokensFile = Files.write(dir.resolve("tokens.txt"), tokenList);
    Path script = dir.resolve("purchase-storm.lua");
    try (InputStream in = StormBenchmark.class.getResourceAsStream("/bench/purchase-storm.lua")) {
      Files.copy(in, script);
    }
    Process wrk = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + maxSeconds + "s", "--timeout", "10s", "-s",
        script.toString(), url, "--", tokensFile.toString(), saleId, String.valueOf(attempts / threads),
        String.valueOf(threads))
        .redirectErrorStream(true).start();
    String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    wrk.waitFor();
    return output.lines().filter(l -> l.startsWith("STORM")).findFirst()
        .orElseThrow(() -> new IllegalStateException("wrk said: " + output));
  }
}
