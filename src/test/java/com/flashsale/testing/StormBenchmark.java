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
    if (sales > 1) {
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
    List<Double> lagSamples = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        api.get("/metrics", null).body().lines()
            .filter(line -> line.startsWith("flashsale_projection_lag_seconds"))
            .findFirst().ifPresent(line -> lagSamples.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))));
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
      }
    });
    sampler.start();
    long start = System.nanoTime();
    List<java.util.concurrent.CompletableFuture<String>> runs = new ArrayList<>();
    for (String saleId : saleIds) {
      List<String> shuffled = new ArrayList<>(tokenList);
      java.util.Collections.shuffle(shuffled);
      runs.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return runWrk(saleId, shuffled, 1, concurrency / sales);
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    long reservations = 0;
    for (var run : runs) {
      String line = run.join();
      System.out.println("  " + line);
      reservations += Long.parseLong(line.replaceAll(".* s201=([0-9]+).*", "$1"));
    }
    double seconds = (System.nanoTime() - start) / 1e9 - maxSeconds; // wrk waits out -d after its threads stop
    sampling.set(false);
    sampler.join();
    double[] lags = lagSamples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    System.out.printf("  %d sales, %d reservations; projection lag sampled %d times every 50 ms: p50 %.3f s, "
            + "p99 %.3f s, max %.3f s%n", sales, reservations, lags.length, lags[lags.length / 2],
        lags[(int) Math.ceil(lags.length * 0.99) - 1], lags[lags.length - 1]);
    return reservations == (long) stock * sales ? 0 : 1;
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
