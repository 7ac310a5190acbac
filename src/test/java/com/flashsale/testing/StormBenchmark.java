package com.flashsale.testing;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.account.Role;
import com.flashsale.account.TokenService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A purchase storm against a running node (e.g. {@code flashsale local}): creates live sales as the
 * admin, mints buyer tokens with the node's secret, fires the attempts with {@code wrk} (closed loop:
 * {@code --concurrency} connections, each sending its next purchase when the last is answered) and prints
 * what happened, checked against the admin stats. A measuring tool, not a test: {@code gatling/benchmark.sh}
 * runs it for the node's capacity, beside the Gatling rush.
 *
 * <p>One sale: the selling window is read afterwards from the sale's orders (first to last {@code createdAt}),
 * and {@code --sold-out-attempts N} then storms the sold-out sale with N attempts by other buyers (the rate of
 * attempts once sold out, and their latency). {@code --window} (always with {@code --sales} above 1) samples
 * {@code /metrics} every 50 ms instead, for the read model's lag too; a scrape costs the node ~15 ms of CPU, so
 * the sampling takes about a third of a core from what it measures.
 */
@Command(name = "storm", mixinStandardHelpOptions = true)
public final class StormBenchmark implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080") String url;
  @Option(names = "--secret",
      defaultValue = "${env:FLASHSALE_JWT_SECRET:-flashsale-development-only-secret-do-not-use-in-production}") String secret;
  @Option(names = "--admin-password", defaultValue = "${env:FLASHSALE_ADMIN_PASSWORD:-admin-change-me}") String adminPassword;
  @Option(names = "--attempts", defaultValue = "20000") int attempts;
  @Option(names = "--buyers", defaultValue = "10000") int buyers;
  @Option(names = "--stock", defaultValue = "1000") int stock;
  @Option(names = "--concurrency", defaultValue = "64") int concurrency;
  @Option(names = "--max-seconds", defaultValue = "40", description = "wrk's -d: an upper bound; wrk waits it out")
  int maxSeconds;
  @Option(names = "--sales", defaultValue = "1", description = "sales stormed at once") int sales;
  @Option(names = "--window", description = "also with one sale: sample /metrics and print the selling window")
  boolean window;
  @Option(names = "--warmup", split = ",", description = "stocks of warm-up storms run first, one buyer per unit")
  List<Integer> warmups = List.of();
  @Option(names = "--sold-out-attempts", defaultValue = "0",
      description = "one sale: then this many attempts by other buyers at the sold-out sale") int soldOutAttempts;
  @Option(names = "--tool", defaultValue = "wrk", description = "wrk (Debian package) or java") String tool;

  private BenchAdmin bench;
  private ApiClient api;
  private String admin;
  private final List<String> tokens = new ArrayList<>();
  private final Map<String, String> buyerByToken = new HashMap<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new StormBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    bench = new BenchAdmin(url, adminPassword, secret);
    api = bench.api;
    admin = bench.admin;
    mintTokens(Math.max(buyers + soldOutAttempts, warmups.stream().mapToInt(Integer::intValue).max().orElse(0)));
    Storm.run(List.of(api), bench.liveSale(stock), tokens.subList(0, Math.min(200, buyers)), buyerByToken::get, 500, 16);
    for (int units : warmups) {
      System.out.println("  warm-up " + runWrk(bench.liveSale(units), tokens.subList(0, units), units, 2, concurrency)
          .line());
    }
    if (sales > 1 || window) {
      return parallelSales();
    }
    String saleId = bench.liveSale(stock);
    System.out.printf("storm: %d attempts by %d buyers for %d units, concurrency %d, load tool %s%n", attempts, buyers,
        stock, concurrency, tool);
    long reservations;
    if (tool.equals("wrk")) {
      Wrk.Run run = runWrk(saleId, tokens.subList(0, buyers), attempts, 2, concurrency);
      System.out.println("  " + run.line());
      reservations = run.created();
    } else {
      Storm.Result result = Storm.run(List.of(api), saleId, tokens.subList(0, buyers), buyerByToken::get, attempts,
          concurrency);
      System.out.println("  " + result.summary());
      reservations = result.count(201);
    }
    System.out.print(sellingWindow(saleId));
    if (soldOutAttempts > 0) {
      System.out.println("  SOLD-OUT " + runWrk(saleId, tokens.subList(buyers, buyers + soldOutAttempts),
          soldOutAttempts, 2, concurrency).line().substring("STORM ".length()));
    }
    return reservations <= stock && audit(saleId) ? 0 : 1;
  }

  /** What the read model lists of a sale: how many orders, and the first and last one's {@code createdAt}. */
  private record Listed(long orders, Instant first, Instant last) {}

  /**
   * The sale's orders as the read model lists them (waiting until it has them all): reservations over the
   * time from the first one's {@code createdAt} to the last one's.
   */
  private String sellingWindow(String saleId) {
    JsonNode stats = api.get("/api/admin/sales/" + saleId + "/stats", admin).json();
    long sold = stats.get("reserved").asLong() + stats.get("confirmed").asLong() + stats.get("released").asLong();
    AtomicReference<Listed> listed = new AtomicReference<>();
    eventually(Duration.ofSeconds(30), () -> { // the read model trails the entity
      listed.set(listOrders(saleId));
      assertThat(listed.get().orders()).as("orders the read model lists").isGreaterThanOrEqualTo(sold);
    });
    double seconds = Duration.between(listed.get().first(), listed.get().last()).toNanos() / 1e9;
    return String.format("  SELLING reservations=%d seconds=%.2f reservations_per_s=%.0f (first to last order)%n",
        listed.get().orders(), seconds, listed.get().orders() / Math.max(seconds, 1e-3));
  }

  private Listed listOrders(String saleId) {
    Instant first = Instant.MAX;
    Instant last = Instant.MIN;
    long orders = 0;
    String after = null;
    do {
      JsonNode page = api.get("/api/admin/sales/" + saleId + "/orders?limit=500"
          + (after == null ? "" : "&after=" + after), admin).json();
      for (JsonNode order : page.get("items")) {
        Instant created = Instant.parse(order.get("createdAt").asText());
        first = created.isBefore(first) ? created : first;
        last = created.isAfter(last) ? created : last;
        orders++;
      }
      after = page.get("next").isNull() ? null : page.get("next").asText();
    } while (after != null);
    return new Listed(orders, first, last);
  }

  private void mintTokens(int count) {
    TokenService issuer = new TokenService(secret, Duration.ofHours(1), Clock.systemUTC());
    for (int i = 0; i < count; i++) {
      String buyer = UUID.randomUUID().toString();
      String token = issuer.issue(buyer, Role.CUSTOMER);
      buyerByToken.put(token, buyer);
      tokens.add(token);
    }
  }

  /** {@code --sales N}: N sales stormed at once (one wrk per sale), {@code /metrics} sampled meanwhile. */
  private Integer parallelSales() throws InterruptedException {
    List<String> saleIds = new ArrayList<>();
    for (int i = 0; i < sales; i++) {
      saleIds.add(bench.liveSale(stock));
    }
    MetricsSampler sampler = MetricsSampler.start(api);
    List<Wrk.Load> loads = new ArrayList<>();
    for (String saleId : saleIds) {
      List<String> shuffled = new ArrayList<>(tokens.subList(0, buyers));
      Collections.shuffle(shuffled);
      loads.add(() -> runWrk(saleId, shuffled, attempts, sales == 1 ? 2 : 1, concurrency / sales));
    }
    long reservations = 0;
    for (Wrk.Run run : Wrk.atOnce(loads)) {
      System.out.println("  " + run.line());
      reservations += run.created();
    }
    System.out.print(sampler.stop().report(reservations));
    boolean consistent = reservations <= (long) stock * sales;
    for (String saleId : saleIds) {
      consistent &= audit(saleId);
    }
    return consistent ? 0 : 1;
  }

  /** The sale's exact stats: nothing oversold, every unit accounted for. */
  private boolean audit(String saleId) {
    JsonNode stats = api.get("/api/admin/sales/" + saleId + "/stats", admin).json();
    int held = stats.get("reserved").asInt() + stats.get("confirmed").asInt();
    boolean consistent = held <= stock && stats.get("available").asInt() + held == stats.get("stock").asInt();
    System.out.printf("  AUDIT %s: stats %s, oversell %d%n", consistent ? "ok" : "FAILED", stats,
        Math.max(0, held - stock));
    return consistent;
  }

  /** Runs wrk with the purchase-storm script. */
  private Wrk.Run runWrk(String saleId, List<String> tokenList, int attemptCount, int threads, int connections)
      throws IOException, InterruptedException {
    Path tokensFile = Files.write(Files.createTempFile("storm-tokens", ".txt"), tokenList);
    try {
      return Wrk.purchases(url, tokensFile, saleId, attemptCount / threads, threads, connections, maxSeconds);
    } finally {
      Files.deleteIfExists(tokensFile);
    }
  }
}
