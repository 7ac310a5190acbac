package com.flashsale.testing;

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

  private ApiClient api;
  private String admin;
  private String productId;
  private Path tokens;
  private String soldOutSale;
  private boolean consistent = true;

  /** One measured run: what ran, wrk's figures, and the CPU each watched process spent per request. */
  private record Measured(String label, Wrk.Run run, Map<String, Double> cpuMicrosPerRequest) {}

  /** A run of wrk. */
  private interface Load {
    Wrk.Run run() throws IOException, InterruptedException;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new HotPathBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    api = new ApiClient(url);
    admin = api.post("/api/auth/login", null, Map.of("email", "admin@flashsale.local", "password", adminPassword))
        .json().get("token").asText();
    productId = api.post("/api/admin/products", admin,
        Map.of("name", "Hot-path benchmark unit", "description", "", "price", "10.00")).json().get("id").asText();
    tokens = mintTokens(buyers);
    try {
      List<Measured> first = new ArrayList<>();
      for (int i = 1; i <= storms; i++) { // the node's first seconds: nothing else may run before these
        first.add(measure("storm " + i + " after ready: reservations", () -> storm(url)));
      }
      soldOutSale = soldOutSale();
      quiesce();
      System.out.println("HOT PATH: wrk -t" + threads + " -c" + concurrency + ", " + seconds
          + " s per row, client on the same machine; ratio to the first row of its block");
      printBlock("the node itself", ceiling(bareUrl), List.of(
          measure("GET /health/alive", () -> Wrk.requests(url, null, "GET", "/health/alive", threads, concurrency,
              seconds)),
          measure("purchase at a sold-out sale", () -> soldOut(url)),
          first.get(first.size() - 1)));
      if (nginxUrl != null && bareNginxUrl != null) {
        quiesce();
        printBlock("through nginx", ceiling(bareNginxUrl), List.of(
            measure("GET /health/alive", () -> Wrk.requests(nginxUrl, null, "GET", "/health/alive", threads,
                concurrency, seconds)),
            measure("purchase at a sold-out sale", () -> soldOut(nginxUrl)),
            measure("reservations (warm)", () -> storm(nginxUrl))));
      }
      printBlock("the first seconds of a fresh node (ratio to the last storm)", first.get(first.size() - 1),
          first.subList(0, first.size() - 1));
      if (profile != null) {
        quiesce();
        profiled("sold-out", () -> soldOut(url));
        quiesce();
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

  private Measured measure(String label, Load load) throws IOException, InterruptedException {
    Map<String, Long> before = cpuTicks();
    Wrk.Run run = load.run();
    Map<String, Long> after = cpuTicks();
    Map<String, Double> perRequest = new java.util.LinkedHashMap<>();
    // /proc counts in clock ticks of 10 ms (USER_HZ 100 on Linux).
    before.forEach((name, ticks) -> perRequest.put(name,
        (after.get(name) - ticks) * 10_000.0 / Math.max(run.requests(), 1)));
    return new Measured(label, run, perRequest);
  }

  /**
   * Waits (up to a minute) until the machine is nearly idle (under a fifth of a core busy for a second), as after
   * the read model and PostgreSQL have caught up with a storm's orders, so that no run measures the one before.
   */
  private static void quiesce() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    long[] last = busyAndTotalTicks();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000); // a second of the machine's CPU time: what this waits on has no other signal
      long[] now = busyAndTotalTicks();
      if (now[0] - last[0] < 20) {
        return;
      }
      last = now;
    }
  }

  /** The machine's busy and total CPU ticks so far, from the first line of /proc/stat. */
  private static long[] busyAndTotalTicks() throws IOException {
    String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < fields.length; i++) {
      total += Long.parseLong(fields[i]);
    }
    long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle, iowait
    return new long[] {total - idle, total};
  }

  private Map<String, Long> cpuTicks() throws IOException {
    Map<String, Long> ticks = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Long> pid : new java.util.TreeMap<>(pids).entrySet()) {
      String stat = Files.readString(Path.of("/proc", pid.getValue().toString(), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      ticks.put(pid.getKey(), Long.parseLong(fields[11]) + Long.parseLong(fields[12])); // utime, stime
    }
    return ticks;
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
  private void profiled(String name, Load load) throws IOException, InterruptedException {
    String pid = pids.get("node").toString();
    profiler(pid, "start,event=cpu,interval=1ms");
    Wrk.Run run = load.run();
    Path folded = tokens.resolveSibling("hot-path-" + name + ".collapsed");
    profiler(pid, "collapsed,file=" + folded);
    Path graph = profile.resolve("hot-path-" + name + ".html");
    profiler(pid, "stop,file=" + graph + ",title=FlashSale node " + name + " " + Math.round(run.perSecond())
        + " requests per s with wrk -c" + concurrency);
    System.out.println("  PROFILE " + name + ": " + graph + " (folded: " + folded + "; " + run.line() + ")");
  }

  /** An async-profiler command to the node; jcmd reads a quoted argument as one, whatever its '=' signs. */
  private void profiler(String pid, String arguments) throws IOException, InterruptedException {
    command("jcmd", pid, "JVMTI.agent_load", profiler.toString(), "\"" + arguments + "\"");
  }

  private static void command(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
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
    String saleId = liveSale(stock);
    Wrk.Run run = Wrk.purchases(target, tokens, saleId, Long.MAX_VALUE / 4, threads, concurrency, seconds);
    JsonNode stats = api.get("/api/admin/sales/" + saleId + "/stats", admin).json();
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

  /** A sale of one unit, bought and paid for by a buyer outside the token list: sold out, no hold open. */
  private String soldOutSale() {
    String saleId = liveSale(1);
    String buyer = new TokenService(secret, Duration.ofHours(1), Clock.systemUTC())
        .issue(UUID.randomUUID().toString(), Role.CUSTOMER);
    String orderId = api.post("/api/sales/" + saleId + "/purchase", buyer, null).json().get("id").asText();
    ApiClient.Response paid = api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok_bench"));
    if (paid.status() != 200) {
      throw new IllegalStateException("could not pay the sold-out sale's unit: " + paid);
    }
    return saleId;
  }

  private Path mintTokens(int count) throws IOException {
    TokenService issuer = new TokenService(secret, Duration.ofHours(1), Clock.systemUTC());
    List<String> minted = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      minted.add(issuer.issue(UUID.randomUUID().toString(), Role.CUSTOMER));
    }
    return Files.write(Files.createTempFile("hot-path-tokens", ".txt"), minted);
  }

  /** A sale of {@code units} that is live already. */
  private String liveSale(int units) {
    return api.post("/api/admin/sales", admin, Map.of("productId", productId, "stock", units,
        "startsAt", Instant.now().minusSeconds(1).toString(),
        "endsAt", Instant.now().plus(Duration.ofHours(1)).toString())).json().get("id").asText();
  }
}
