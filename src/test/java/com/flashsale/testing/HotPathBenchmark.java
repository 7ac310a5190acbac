package com.flashsale.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast a node's hot paths are against the ceiling of the same machine, in one run with one client (wrk,
 * closed loop): first, right after the node said ready, {@code --storms} back-to-back storms of
 * {@code --seconds} each on new sales too big to sell out (the first seconds of a fresh node against a warm
 * one); then the bare Akka HTTP server's constant route ({@code com.flashsale.local.BareServer}, warmed first),
 * {@code GET /health/alive}, purchase attempts at a sold-out sale, and reservations on the warm node; the same
 * through nginx when its addresses are given. With {@code --pids}, the CPU time those processes spent per
 * request ({@code /proc/PID/stat}). Prints one table; exits non-zero if a sale oversold or a run answered
 * anything unexpected. Run by {@code gatling/hot-path.sh}; a measuring tool, not a test.
 */
@Command(name = "hot-path", mixinStandardHelpOptions = true)
public final class HotPathBenchmark implements Callable<Integer> {

  @Option(names = "--url", required = true, description = "the node itself") String url;
  @Option(names = "--nginx-url", description = "the node through nginx") String nginxUrl;
  @Option(names = "--bare-url", required = true, description = "the bare server") String bareUrl;
  @Option(names = "--bare-nginx-url", description = "the bare server through nginx") String bareNginxUrl;
  @Option(names = "--secret",
      defaultValue = "${env:FLASHSALE_JWT_SECRET:-flashsale-development-only-secret-do-not-use-in-production}") String secret;
  @Option(names = "--admin-password", defaultValue = "${env:FLASHSALE_ADMIN_PASSWORD:-admin-change-me}") String adminPassword;
  @Option(names = "--seconds", defaultValue = "8") int seconds;
  @Option(names = "--storms", defaultValue = "3") int storms;
  @Option(names = "--stock", defaultValue = "1000000", description = "units of each storm's sale") int stock;
  @Option(names = "--buyers", defaultValue = "150000", description = "distinct buyers (tokens) in turn") int buyers;
  @Option(names = "--concurrency", defaultValue = "64") int concurrency;
  @Option(names = "--threads", defaultValue = "2") int threads;
  @Option(names = "--pids", split = ",", description = "name=pid of processes whose CPU time per request to show")
  Map<String, Long> pids = Map.of();
  @Option(names = "--profile", description = "then profile a sold-out run and a storm on the node (its pid in "
      + "--pids as node), and write their flame graphs here") Path profile;
  @Option(names = "--profiler", description = "async-profiler's libasyncProfiler.so, for --profile") Path profiler;

  private BenchAdmin bench;
  private Path tokens;
  private String soldOutSale;
  private boolean consistent = true;

  /** One measured run: what ran, wrk's figures, and the CPU each watched process spent per request. */
  private record Measured(String label, Wrk.Run run, Map<String, Double> cpuMicrosPerRequest) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new HotPathBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    bench = new BenchAdmin(url, adminPassword, secret);
    tokens = bench.mintTokens(buyers);
    try {
      List<Measured> first = new ArrayList<>();
      for (int i = 1; i <= storms; i++) { // the node's first seconds: nothing else may run before these
        first.add(measure("storm " + i + " after ready: reservations", () -> storm(url)));
      }
      soldOutSale = bench.soldOutSale();
      ProcessCpu.quiesce();
      System.out.println("HOT PATH: wrk -t" + threads + " -c" + concurrency + ", " + seconds
          + " s per row, client on the same machine; ratio to the first row of its block");
      printBlock("the node itself", ceiling(bareUrl), List.of(
          measure("GET /health/alive", () -> Wrk.requests(url, null, "GET", "/health/alive", threads, concurrency,
              seconds)),
          measure("purchase at a sold-out sale", () -> soldOut(url)),
          first.get(first.size() - 1)));
      if (nginxUrl != null && bareNginxUrl != null) {
        ProcessCpu.quiesce();
        printBlock("through nginx", ceiling(bareNginxUrl), List.of(
            measure("GET /health/alive", () -> Wrk.requests(nginxUrl, null, "GET", "/health/alive", threads,
                concurrency, seconds)),
            measure("purchase at a sold-out sale", () -> soldOut(nginxUrl)),
            measure("reservations (warm)", () -> storm(nginxUrl))));
      }
      printBlock("the first seconds of a fresh node (ratio to the last storm)", first.get(first.size() - 1),
          first.subList(0, first.size() - 1));
      if (profile != null) {
        ProcessCpu.quiesce();
        profiled("sold-out", () -> soldOut(url));
        ProcessCpu.quiesce();
        profiled("reserving", () -> storm(url));
      }
    } finally {
      Files.deleteIfExists(tokens);
    }
    System.out.println("HOT PATH AUDIT " + (consistent ? "ok" : "FAILED"));
    return consistent ? 0 : 1;
  }

  /** The bare server's constant route, asked exactly as a purchase is, after a run that warms it. */
  private Measured ceiling(String bare) throws IOException, InterruptedException {
    String anySale = UUID.randomUUID().toString();
    Wrk.purchases(bare, tokens, anySale, Long.MAX_VALUE / 4, threads, concurrency, seconds);
    return measure("bare Akka HTTP, constant route", () ->
        Wrk.purchases(bare, tokens, anySale, Long.MAX_VALUE / 4, threads, concurrency, seconds));
  }

  private Measured measure(String label, Wrk.Load load) throws IOException, InterruptedException {
    Map<String, Long> before = ProcessCpu.ticks(new java.util.TreeMap<>(pids));
    Wrk.Run run = load.run();
    Map<String, Long> after = ProcessCpu.ticks(new java.util.TreeMap<>(pids));
    Map<String, Double> perRequest = new java.util.LinkedHashMap<>();
    before.forEach((name, ticks) -> perRequest.put(name,
        (after.get(name) - ticks) * ProcessCpu.MICROS_PER_TICK / Math.max(run.requests(), 1)));
    return new Measured(label, run, perRequest);
  }

  private void printBlock(String title, Measured base, List<Measured> rows) {
    System.out.printf("  %s%n  %-44s %10s %9s %6s%s%n", title, "", "per s", "p99 ms", "ratio",
        pids.isEmpty() ? "" : "  CPU µs/request " + String.join(" ", new java.util.TreeMap<>(pids).keySet()));
    double ceiling = rate(base);
    for (Measured row : concat(base, rows)) {
      StringBuilder cpu = new StringBuilder();
      row.cpuMicrosPerRequest().values().forEach(micros -> cpu.append(String.format(" %6.0f", micros)));
      System.out.printf("  %-44s %10.0f %9.1f %6.2f %s%n", row.label(), rate(row), row.run().p99Ms(),
          rate(row) / ceiling, cpu);
    }
  }

  /**
   * Samples the node's CPU (async-profiler, attached through {@code jcmd}, every millisecond of CPU time) while
   * {@code load} runs, and writes a flame graph, {@code hot-path-NAME.html} in the {@code --profile} directory,
   * and the same stacks folded ({@code .collapsed}) beside the tokens file, for reading as text.
   */
  private void profiled(String name, Wrk.Load load) throws IOException, InterruptedException {
    AsyncProfiler node = new AsyncProfiler(profiler, pids.get("node"));
    node.startCpu();
    Wrk.Run run = load.run();
    Path folded = tokens.resolveSibling("hot-path-" + name + ".collapsed");
    node.folded(folded);
    Path graph = profile.resolve("hot-path-" + name + ".html");
    node.stop(graph, "FlashSale node " + name + " " + Math.round(run.perSecond()) + " requests per s with wrk -c"
        + concurrency);
    System.out.println("  PROFILE " + name + ": " + graph + " (folded: " + folded + "; " + run.line() + ")");
  }

  /** Reservations per second of a storm, answers per second of anything else. */
  private static double rate(Measured row) {
    return row.label().contains("reservations") ? row.run().createdPerSecond() : row.run().perSecond();
  }

  private static List<Measured> concat(Measured first, List<Measured> rest) {
    List<Measured> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  /** Purchases at a new sale too big to sell out in the run; its stats must account for every reservation. */
  private Wrk.Run storm(String target) throws IOException, InterruptedException {
    String saleId = bench.liveSale(stock);
    Wrk.Run run = Wrk.purchases(target, tokens, saleId, Long.MAX_VALUE / 4, threads, concurrency, seconds);
    JsonNode stats = bench.api.get("/api/admin/sales/" + saleId + "/stats", bench.admin).json();
    long held = stats.get("reserved").asLong() + stats.get("confirmed").asLong();
    boolean ok = held >= run.created() && held <= stock && stats.get("available").asLong() + held == stock
        && run.errors() == 0;
    consistent &= ok;
    if (!ok) {
      System.out.println("  STORM FAILED: " + run.line() + " stats " + stats);
    }
    return run;
  }

  /** Purchases by other buyers at a sale whose one unit is paid for: every answer must be a 409. */
  private Wrk.Run soldOut(String target) throws IOException, InterruptedException {
    Wrk.Run run = Wrk.purchases(target, tokens, soldOutSale, Long.MAX_VALUE / 4, threads, concurrency, seconds);
    boolean ok = run.conflicts() == run.requests() && run.errors() == 0;
    consistent &= ok;
    if (!ok) {
      System.out.println("  SOLD-OUT RUN FAILED (not all 409): " + run.line());
    }
    return run;
  }
}
