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
 * one); then {@code --rounds} rounds of the bare Akka HTTP server's constant route
 * ({@code com.flashsale.local.BareServer}), {@code GET /health/alive}, purchase attempts at a sold-out sale, and
 * reservations on the warm node, each row's ratio taken to the ceiling of its own round; the same through nginx
 * when its addresses are given. With {@code --pids}, the CPU time those processes spent per request
 * ({@code /proc/PID/stat}). A node starts once, so several starts' first seconds are several runs of this tool:
 * {@code --storms-only} keeps a start's in a file, {@code --earlier-starts} reads them back. Prints one table of
 * medians; exits non-zero if a sale oversold or a run answered anything unexpected. Run by
 * {@code gatling/hot-path.sh}; a measuring tool, not a test.
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
  @Option(names = "--rounds", defaultValue = "3", description = "times each row of the node's and nginx's blocks is "
      + "measured, each round after its own ceiling; the table gives medians") int rounds;
  @Option(names = "--storms-only", description = "measure only this fresh node's first seconds, and add them to this "
      + "file for a later run's --earlier-starts") Path stormsOnly;
  @Option(names = "--earlier-starts", description = "the first seconds of earlier fresh nodes (--storms-only), "
      + "shown with this one's") Path earlierStarts;

  private BenchAdmin bench;
  private Path tokens;
  private String soldOutSale;
  private boolean consistent = true;

  /**
   * One measured run: what ran, its rate (reservations per second for a storm, answers per second for anything
   * else), its p99, and the CPU time each watched process spent per request.
   */
  record Measured(String label, double rate, double p99Ms, Map<String, Double> cpuMicrosPerRequest) {}

  /** Reservations per second of a storm, answers per second of anything else. */
  private static double rate(String label, Wrk.Run run) {
    return label.contains("reservations") ? run.createdPerSecond() : run.perSecond();
  }

  /** The first seconds of fresh nodes, kept in a file between runs of this tool: a line per storm. */
  static final class FreshStarts {

    private FreshStarts() {}

    static void append(Path file, List<Measured> storms) throws IOException {
      int start = read(file).size();
      StringBuilder lines = new StringBuilder();
      for (Measured storm : storms) {
        lines.append(start).append('\t').append(storm.label()).append('\t').append(storm.rate()).append('\t').append(storm.p99Ms());
        storm.cpuMicrosPerRequest().forEach((name, micros) -> lines.append('\t').append(name).append('=').append(micros));
        lines.append('\n');
      }
      Files.writeString(file, lines, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    static List<List<Measured>> read(Path file) throws IOException {
      Map<Integer, List<Measured>> starts = new java.util.TreeMap<>();
      if (file != null && Files.exists(file)) {
        for (String line : Files.readAllLines(file)) {
          String[] fields = line.split("\t");
          Map<String, Double> cpu = new java.util.LinkedHashMap<>();
          for (int i = 4; i < fields.length; i++) {
            String[] named = fields[i].split("=", 2);
            cpu.put(named[0], Double.parseDouble(named[1]));
          }
          starts.computeIfAbsent(Integer.parseInt(fields[0]), start -> new ArrayList<>()).add(new Measured(fields[1],
              Double.parseDouble(fields[2]), Double.parseDouble(fields[3]), cpu));
        }
      }
      return new ArrayList<>(starts.values());
    }
  }

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
      if (stormsOnly != null) {
        FreshStarts.append(stormsOnly, first);
        printFirstSeconds(List.of(first));
        return consistent ? 0 : 1;
      }
      List<List<Measured>> starts = FreshStarts.read(earlierStarts);
      starts.add(first);
      soldOutSale = bench.soldOutSale();
      System.out.println("HOT PATH: wrk -t" + threads + " -c" + concurrency + ", " + seconds
          + " s per row, client on the same machine; each row the median of " + rounds
          + " rounds, its ratio to the first row of the same round (range in brackets)");
      warm(bareUrl);
      printBlock("the node itself", rounds(bareUrl, url));
      if (nginxUrl != null && bareNginxUrl != null) {
        warm(bareNginxUrl);
        printBlock("through nginx", rounds(bareNginxUrl, nginxUrl));
      }
      printFirstSeconds(starts);
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

  /** The bare server's JIT compiles while it is new: a run whose figures are dropped. */
  private void warm(String bare) throws IOException, InterruptedException {
    Wrk.purchases(bare, tokens, UUID.randomUUID().toString(), Long.MAX_VALUE / 4, threads, concurrency, seconds);
  }

  /**
   * {@code --rounds} rounds on a machine at rest, each the bare server's constant route (asked exactly as a purchase
   * is: the ceiling), then {@code GET /health/alive}, sold-out attempts and a storm at {@code target}: each row's
   * ratio is to the ceiling of its own round, so a drift of the machine's speed between rounds moves both.
   */
  private List<List<Measured>> rounds(String bare, String target) throws IOException, InterruptedException {
    List<List<Measured>> rounds = new ArrayList<>();
    String anySale = UUID.randomUUID().toString();
    for (int r = 0; r < this.rounds; r++) {
      ProcessCpu.quiesce();
      rounds.add(List.of(
          measure("bare Akka HTTP, constant route", () ->
              Wrk.purchases(bare, tokens, anySale, Long.MAX_VALUE / 4, threads, concurrency, seconds)),
          measure("GET /health/alive", () -> Wrk.requests(target, null, "GET", "/health/alive", threads, concurrency,
              seconds)),
          measure("purchase at a sold-out sale", () -> soldOut(target)),
          measure("reservations (warm)", () -> storm(target))));
    }
    return rounds;
  }

  private Measured measure(String label, Wrk.Load load) throws IOException, InterruptedException {
    Map<String, Long> before = ProcessCpu.ticks(new java.util.TreeMap<>(pids));
    Wrk.Run run = load.run();
    Map<String, Long> after = ProcessCpu.ticks(new java.util.TreeMap<>(pids));
    Map<String, Double> perRequest = new java.util.LinkedHashMap<>();
    before.forEach((name, ticks) -> perRequest.put(name,
        (after.get(name) - ticks) * ProcessCpu.MICROS_PER_TICK / Math.max(run.requests(), 1)));
    return new Measured(label, rate(label, run), run.p99Ms(), perRequest);
  }

  /**
   * A block's rows, each the median over its rounds of its rate, p99, ratio to the first row of the same round and
   * CPU time per request, with the range of its ratios.
   */
  private void printBlock(String title, List<List<Measured>> rounds) {
    System.out.printf("  %s%n  %-44s %10s %9s %6s %13s%s%n", title, "", "per s", "p99 ms", "ratio", "",
        pids.isEmpty() ? "" : "  CPU µs/request " + String.join(" ", new java.util.TreeMap<>(pids).keySet()));
    for (int row = 0; row < rounds.get(0).size(); row++) {
      List<Measured> samples = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (List<Measured> round : rounds) {
        samples.add(round.get(row));
        ratios.add(round.get(row).rate() / round.get(0).rate());
      }
      printRow(samples, ratios);
    }
  }

  /**
   * The first seconds of each fresh node (this one last): its storms, each against the last storm of the same start,
   * as medians over the starts when there were several.
   */
  private void printFirstSeconds(List<List<Measured>> starts) {
    printBlock("the first seconds of a fresh node (ratio to its last storm; " + starts.size()
        + (starts.size() == 1 ? " start)" : " starts, medians)"), starts.stream().map(storms -> {
          List<Measured> last = new ArrayList<>(List.of(storms.get(storms.size() - 1)));
          last.addAll(storms.subList(0, storms.size() - 1));
          return last;
        }).toList());
  }

  private static void printRow(List<Measured> samples, List<Double> ratios) {
    StringBuilder cpu = new StringBuilder();
    samples.get(0).cpuMicrosPerRequest().keySet().forEach(name -> cpu.append(String.format(" %6.0f",
        median(samples.stream().map(m -> m.cpuMicrosPerRequest().get(name)).toList()))));
    String range = ratios.size() == 1 ? ""
        : String.format("[%.2f–%.2f]", ratios.stream().min(Double::compare).get(),
            ratios.stream().max(Double::compare).get());
    System.out.printf("  %-44s %10.0f %9.1f %6.2f %13s%s%n", samples.get(0).label(),
        median(samples.stream().map(Measured::rate).toList()), median(samples.stream().map(Measured::p99Ms).toList()),
        median(ratios), range, cpu);
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
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
