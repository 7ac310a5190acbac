package com.flashsale.testing;

import akka.cluster.sharding.ShardRegion;
import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.sale.Sale;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What a purchase costs each process of a cluster, by the role the process plays in it, and the model of
 * throughput against node count built from those costs. Against a running {@code flashsale local} of two or more
 * nodes behind nginx (rate limits off), all on one machine, it runs with one client (wrk, closed loop):
 * <ol>
 *   <li>a hot sale's purchases sent to a node that does not host its entity (that node receives: HTTP, token,
 *       edge checks, batching, forwarding; the host decides and writes; a third node, where there is one, runs
 *       the read-model projection of the sale's tag);
 *   <li>the same sale's purchases sent to the node that hosts it (receiving and hosting in one process);
 *   <li>purchases at a sold-out sale, answered at the edge of the node that receives them;
 *   <li>a new hot sale, then {@code --sales} sales at once, through nginx: the deployment's own shape.
 * </ol>
 * Each run's CPU time is read per process tree from {@code /proc} (the nodes, PostgreSQL, nginx, and the machine
 * for the rest: the client and the kernel), from the run's start until the machine is idle again (so the read
 * model's catching up counts), less what each spends idle, per request. It prints those constants, the model's
 * prediction for the two nginx runs beside what they measured, then the model for nodes on machines of their own.
 * A profiled repeat of the first run gives the entity's own serial time per purchase (async-profiler's samples in
 * the persistent actor's frames). Exits non-zero if a sale oversold or a run answered anything unexpected. Run by
 * {@code gatling/scaling.sh}; a measuring tool, not a test.
 */
@Command(name = "scaling", mixinStandardHelpOptions = true)
public final class ScalingBenchmark implements Callable<Integer> {

  @Option(names = "--node", required = true, description = "URL=PID of each node of the cluster")
  Map<String, Long> nodeOptions = new LinkedHashMap<>();
  @Option(names = "--management", required = true, description = "each node's Akka Management URL, in that order")
  List<String> managementUrls = new ArrayList<>();
  @Option(names = "--db-pid", required = true, description = "PostgreSQL's postmaster") long dbPid;
  @Option(names = "--nginx-pid", required = true, description = "nginx's master") long nginxPid;
  @Option(names = "--nginx-url", required = true) String nginxUrl;
  @Option(names = "--secret",
      defaultValue = "${env:FLASHSALE_JWT_SECRET:-flashsale-development-only-secret-do-not-use-in-production}") String secret;
  @Option(names = "--admin-password", defaultValue = "${env:FLASHSALE_ADMIN_PASSWORD:-admin-change-me}") String adminPassword;
  @Option(names = "--seconds", defaultValue = "8") int seconds;
  @Option(names = "--sales", defaultValue = "20", description = "sales stormed at once in the many-sales run") int sales;
  @Option(names = "--stock", defaultValue = "1000000", description = "units of each sale") int stock;
  @Option(names = "--buyers", defaultValue = "80000", description = "distinct buyers (tokens) per run") int buyers;
  @Option(names = "--concurrency", defaultValue = "64") int concurrency;
  @Option(names = "--threads", defaultValue = "2") int threads;
  @Option(names = "--cores-per-node", defaultValue = "2", description = "for the model of separate machines")
  int coresPerNode;
  @Option(names = "--db-cores", defaultValue = "2", description = "for the model of separate machines") int dbCores;
  @Option(names = "--predict-from", description = "another cluster's MODEL CONSTANTS line: its prediction too")
  String predictFrom;
  @Option(names = "--profiler", description = "async-profiler's libasyncProfiler.so: the entity's serial time")
  Path profiler;

  /** A node of the cluster: its name in the tables, its own URL, its Akka Management URL, its process. */
  private record Node(String name, String url, String management, long pid) {}

  /** Where a sale lives: the node hosting its entity, the node running the projection of its tag. */
  private record Placement(String saleId, Node host, Node projection) {}

  /**
   * One measured run: wrk's figures, CPU µs per request of each process and of the whole machine, and the mean
   * size of the order batches the nodes sent (purchases per journal write).
   */
  private record Measured(String label, Wrk.Run run, Map<String, Double> micros, double machineMicros, double batch) {

    double rate() {
      return run.created() > 0 ? run.createdPerSecond() : run.perSecond();
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, Long> processes = new LinkedHashMap<>();
  private final Set<String> stormed = new LinkedHashSet<>();
  private long reservedByRuns;
  private final List<Path> tokens = new ArrayList<>();
  private Map<String, Double> idleTicksPerSecond;
  private double idleMachineTicksPerSecond;
  private final int shards = ConfigFactory.load().getInt("akka.cluster.sharding.number-of-shards");
  private BenchAdmin bench;
  private boolean consistent = true;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ScalingBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    nodeOptions.forEach((url, pid) -> nodes.add(
        new Node("node" + (nodes.size() + 1), url, managementUrls.get(nodes.size()), pid)));
    nodes.forEach(node -> processes.put(node.name(), node.pid()));
    processes.put("postgres", dbPid);
    processes.put("nginx", nginxPid);
    bench = new BenchAdmin(nodes.get(0).url(), adminPassword, secret);
    for (int i = 0; i < 3; i++) {
      tokens.add(bench.mintTokens(buyers));
    }
    try {
      return measureAll();
    } finally {
      for (Path file : tokens) {
        Files.deleteIfExists(file);
      }
    }
  }

  private int measureAll() throws IOException, InterruptedException {
    int n = nodes.size();
    warm();
    idle();
    Placement hot = place(n >= 3);
    Node receiver = nodes.stream().filter(node -> node != hot.host() && node != hot.projection()).findFirst()
        .orElseGet(() -> nodes.stream().filter(node -> node != hot.host()).findFirst().orElseThrow());
    System.out.printf("SCALING: %d nodes, wrk -t%d -c%d, %d s per run, client on the same machine; the hot sale's "
        + "entity on %s, its tag's projection on %s, sent to %s%n", n, threads, concurrency, seconds,
        hot.host().name(), hot.projection().name(), receiver.name());
    Measured remote = measure("hot sale, sent to a node not hosting it",
        () -> storm(List.of(receiver.url()), tokens.get(0), hot.saleId()));
    Measured local = measure("hot sale, sent to its host",
        () -> storm(List.of(hot.host().url()), tokens.get(1), hot.saleId()));
    String soldOutSale = bench.soldOutSale();
    Measured edge = measure("sold-out sale, sent to a node", () -> soldOut(receiver.url(), soldOutSale));
    Placement viaNginx = place(false);
    Measured hotNginx = measure("hot sale through nginx (entity on " + viaNginx.host().name() + ")",
        () -> storm(List.of(nginxUrl), tokens.get(2), viaNginx.saleId()));
    List<String> many = new ArrayList<>();
    for (int i = 0; i < sales; i++) {
      many.add(bench.liveSale(stock));
    }
    Measured manyNginx = measure(sales + " sales through nginx",
        () -> storm(List.of(nginxUrl), tokens.get(0), String.join(",", many)));
    printRuns(List.of(remote, local, edge, hotNginx, manyNginx));

    double serial = profiler == null ? Double.NaN : entitySerialMicros(hot, receiver);
    ScalingModel model = ScalingModel.fit(n, point(remote), point(local), point(manyNginx), point(hotNginx),
        remote.micros().get(receiver.name()), edge.micros().get(receiver.name()), serial);
    System.out.printf(Locale.ROOT, "  MODEL, CPU µs per purchase: f=%.0f (r=%.0f of it on the receiving "
            + "node) · l=%.0f · per journal write w=%.0f · PostgreSQL g=%.0f + wg=%.0f per write · x=%.0f · sold-out "
            + "e=%.0f · the entity's serial time s=%.1f%n  MODEL CONSTANTS %s%n", model.f(), model.r(), model.l(),
        model.w(), model.g(), model.wg(), model.x(), model.e(), model.s(), model.encode());
    Map<String, ScalingModel> models = new LinkedHashMap<>();
    models.put("this cluster's constants", model);
    if (predictFrom != null) {
      models.put("the constants given (--predict-from)", ScalingModel.parse(predictFrom));
    }
    models.forEach((whose, constants) -> System.out.printf("  MODEL with %s, the runs through nginx:%n%s%n%s%n", whose,
        constants.check("hot sale", n, point(hotNginx)), constants.check(sales + " sales", n, point(manyNginx))));
    System.out.printf("  MODEL on separate machines, %d cores per node, PostgreSQL on %d: purchases/s by node count, "
        + "at this cluster's batch sizes%n%s%n", coresPerNode, dbCores,
        model.separateMachines(coresPerNode, dbCores, hotNginx.batch(), manyNginx.batch()));
    audit();
    System.out.println("SCALING AUDIT " + (consistent ? "ok" : "FAILED"));
    return consistent ? 0 : 1;
  }

  /** A run as the model reads it. */
  private ScalingModel.Point point(Measured run) {
    double nodeMicros = nodes.stream().mapToDouble(node -> run.micros().get(node.name())).sum();
    return new ScalingModel.Point(run.batch(), nodeMicros, run.micros().get("postgres"), run.machineMicros());
  }

  /**
   * The entity's own time per purchase: the host's CPU samples (one per millisecond) in the persistent actor's
   * frames while the first run is repeated, per reservation. The actor handles one message at a time, so this is
   * the part of a purchase that no number of cores makes faster.
   */
  private double entitySerialMicros(Placement hot, Node receiver) throws IOException, InterruptedException {
    AsyncProfiler host = new AsyncProfiler(profiler, hot.host().pid());
    host.startCpu();
    Wrk.Run run = storm(List.of(receiver.url()), tokens.get(2), hot.saleId());
    Path folded = tokens.get(0).resolveSibling("scaling-host.collapsed");
    host.folded(folded);
    host.stop();
    long[] samples = AsyncProfiler.samples(folded, "akka/persistence/typed/internal/");
    double serial = samples[1] * 1000.0 / Math.max(run.created(), 1);
    System.out.printf("  PROFILE of the host: %d of %d CPU samples (ms) in the sale entity's actor for %d "
        + "reservations: %.1f µs each (folded stacks: %s)%n", samples[1], samples[0], run.created(), serial, folded);
    ProcessCpu.quiesce();
    return serial;
  }

  /**
   * Each node warmed up by selling to itself before it said ready; forwarding between nodes and many sales at
   * once are compiled now: storms through nginx, one hot sale and then {@code --sales} sales, until the nodes'
   * JIT compilers spent under a tenth of the nodes' CPU in a round (at most 12 rounds: with three JVMs on two
   * cores that takes minutes), so that the runs measure compiled code.
   */
  private void warm() throws InterruptedException {
    for (int round = 1; round <= 12; round++) {
      long[] before = nodeAndCompilerTicks();
      storm(List.of(nginxUrl), tokens.get(0), bench.liveSale(stock));
      List<String> many = new ArrayList<>();
      for (int i = 0; i < sales; i++) {
        many.add(bench.liveSale(stock));
      }
      storm(List.of(nginxUrl), tokens.get(1), String.join(",", many));
      long[] after = nodeAndCompilerTicks();
      double compiling = (after[1] - before[1]) / (double) Math.max(after[0] - before[0], 1);
      System.out.printf("  warm-up round %d: the nodes' JIT compilers took %.1f%% of their CPU%n", round,
          100 * compiling);
      ProcessCpu.quiesce();
      if (compiling < 0.1) {
        return;
      }
    }
  }

  /** All nodes' CPU ticks so far, and their JIT compilers'. */
  private long[] nodeAndCompilerTicks() {
    long cpu = 0;
    long compiler = 0;
    for (Node node : nodes) {
      cpu += ProcessCpu.treeTicks(node.pid());
      compiler += ProcessCpu.compilerTicks(node.pid());
    }
    return new long[] {cpu, compiler};
  }

  /** Each process's CPU ticks per second while nothing runs: what a run's figures are corrected by. */
  private void idle() throws InterruptedException {
    Map<String, Long> before = ProcessCpu.ticks(processes);
    long machine = ProcessCpu.machineBusyTicks();
    long start = System.nanoTime();
    Thread.sleep(5000); // five seconds of idle CPU time: there is nothing to wait on but the clock
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Long> after = ProcessCpu.ticks(processes);
    idleTicksPerSecond = new LinkedHashMap<>();
    before.forEach((name, ticks) -> idleTicksPerSecond.put(name, (after.get(name) - ticks) / elapsed));
    idleMachineTicksPerSecond = (ProcessCpu.machineBusyTicks() - machine) / elapsed;
  }

  /** Runs {@code load}, then waits for the machine to be idle; CPU per request from the start until then. */
  private Measured measure(String label, Wrk.Load load) throws IOException, InterruptedException {
    ProcessCpu.quiesce();
    double[] batchesBefore = batches();
    Map<String, Long> before = ProcessCpu.ticks(processes);
    long machine = ProcessCpu.machineBusyTicks();
    long start = System.nanoTime();
    Wrk.Run run = load.run();
    ProcessCpu.quiesce();
    double[] batchesAfter = batches();
    double elapsed = (System.nanoTime() - start) / 1e9;
    Map<String, Long> after = ProcessCpu.ticks(processes);
    long requests = Math.max(run.requests(), 1);
    Map<String, Double> micros = new LinkedHashMap<>();
    before.forEach((name, ticks) -> micros.put(name, Math.max(0,
        (after.get(name) - ticks - idleTicksPerSecond.get(name) * elapsed) * ProcessCpu.MICROS_PER_TICK / requests)));
    double machineMicros = (ProcessCpu.machineBusyTicks() - machine - idleMachineTicksPerSecond * elapsed)
        * ProcessCpu.MICROS_PER_TICK / requests;
    double batch = (batchesAfter[1] - batchesBefore[1]) / Math.max(batchesAfter[0] - batchesBefore[0], 1);
    return new Measured(label, run, micros, machineMicros, batch);
  }

  private void printRuns(List<Measured> runs) {
    System.out.printf("  %-44s %9s %8s %6s   CPU µs/request: %s machine%n", "", "per s", "p99 ms", "batch",
        String.join(" ", processes.keySet().stream().map(name -> String.format("%8s", name)).toList()));
    for (Measured row : runs) {
      StringBuilder cpu = new StringBuilder();
      row.micros().values().forEach(micros -> cpu.append(String.format(" %8.0f", micros)));
      System.out.printf("  %-44s %9.0f %8.1f %6.1f                  %s %8.0f%n", row.label(), row.rate(),
          row.run().p99Ms(), row.batch(), cpu, row.machineMicros());
    }
  }

  /**
   * A new sale's placement, found with one purchase: the host is the node whose shard region (Akka Management's
   * {@code /cluster/shards/Sale}) holds the sale's shard, the projection's node the one whose lag gauge for the
   * sale's tag changed. Tries up to 12 sales for one whose
   * projection runs {@code apart} from its host (or on it), and takes the last one otherwise.
   */
  private Placement place(boolean apart) {
    Placement placement = null;
    for (int attempt = 0; attempt < 12; attempt++) {
      String saleId = bench.liveSale(stock);
      String tag = Sale.tagFor(saleId);
      Map<String, String> lags = lags(tag);
      ApiClient.Response bought = bench.api.post("/api/sales/" + saleId + "/purchase", bench.buyer(), null);
      if (bought.status() != 201) {
        throw new IllegalStateException("the placing purchase failed: " + bought);
      }
      stormed.add(saleId);
      reservedByRuns++;
      String shard = "\"shardId\":\"" + ShardRegion.HashCodeMessageExtractor$.MODULE$.shardId(saleId, shards) + "\"";
      Node host = theOne(() -> nodes.stream()
          .filter(node -> new ApiClient(node.management()).get("/cluster/shards/Sale", null).body().contains(shard))
          .toList());
      Node projection = theOne(() -> nodes.stream()
          .filter(node -> !Objects.equals(lags.get(node.name()), lags(tag).get(node.name()))).toList());
      placement = new Placement(saleId, host, projection);
      if ((host != projection) == apart) {
        return placement;
      }
    }
    return placement;
  }

  /** The one node {@code candidates} names, asked until it names exactly one (up to 15 s). */
  private static Node theOne(Supplier<List<Node>> candidates) {
    AtomicReference<List<Node>> found = new AtomicReference<>();
    Eventually.eventually(Duration.ofSeconds(15), () -> { // the nodes' metrics and shard regions, read by polling
      found.set(candidates.get());
      if (found.get().size() != 1) { // no AssertJ here: gatling/scaling.sh runs this on the jar's classpath
        throw new AssertionError("nodes showing the sale's placement: " + found.get());
      }
    });
    return found.get().get(0);
  }

  /** The order batches all nodes have sent so far: their count, and the commands in them. */
  private double[] batches() {
    double[] batches = new double[2];
    for (Node node : nodes) {
      batches[0] += metric(node, "flashsale_reserve_batch_size_count ");
      batches[1] += metric(node, "flashsale_reserve_batch_size_sum ");
    }
    return batches;
  }

  /** Each node's read-model lag gauge for {@code tag} as it prints it (absent where that tag never ran). */
  private Map<String, String> lags(String tag) {
    Map<String, String> lags = new TreeMap<>();
    for (Node node : nodes) {
      metricsOf(node).lines().filter(line -> line.startsWith("flashsale_projection_lag_seconds{")
          && line.contains("tag=\"" + tag + "\"")).findFirst().ifPresent(line -> lags.put(node.name(), line));
    }
    return lags;
  }

  private double metric(Node node, String prefix) {
    return metricsOf(node).lines().filter(line -> line.startsWith(prefix)).findFirst()
        .map(line -> Double.parseDouble(line.substring(prefix.length()).trim())).orElse(0.0);
  }

  private static String metricsOf(Node node) {
    return new ApiClient(node.url()).get("/metrics", null).body();
  }

  /** Purchases at {@code saleIds} (in turn) sent to {@code urls}, each url its own share of the connections. */
  private Wrk.Run storm(List<String> urls, Path buyerTokens, String saleIds) throws InterruptedException {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      files.add(tokens.get((tokens.indexOf(buyerTokens) + i) % tokens.size()));
    }
    Wrk.Run run = Wrk.purchasesAt(urls, files, saleIds, threads, concurrency / urls.size(), seconds);
    if (run.errors() > 0 || run.created() + run.conflicts() != run.requests()) {
      consistent = false;
      System.out.println("  STORM FAILED (errors or unexpected answers): " + run.line());
    }
    stormed.addAll(List.of(saleIds.split(",")));
    reservedByRuns += run.created();
    return run;
  }

  /** Purchases by other buyers at a sale whose one unit is paid for: every answer must be a 409. */
  private Wrk.Run soldOut(String url, String saleId) throws InterruptedException {
    Wrk.Run run = Wrk.purchasesAt(List.of(url), List.of(tokens.get(0)), saleId, threads, concurrency, seconds);
    if (run.conflicts() != run.requests() || run.errors() > 0) {
      consistent = false;
      System.out.println("  SOLD-OUT RUN FAILED (not all 409): " + run.line());
    }
    return run;
  }

  /**
   * No sale oversold, each accounts for every unit, and together they hold or held every reservation the runs
   * made (a hold that ran out while the tool ran counts as released).
   */
  private void audit() {
    long accounted = 0;
    for (String saleId : stormed) {
      JsonNode stats = bench.api.get("/api/admin/sales/" + saleId + "/stats", bench.admin).json();
      long held = stats.get("reserved").asLong() + stats.get("confirmed").asLong();
      accounted += held + stats.get("released").asLong();
      if (held > stock || stats.get("available").asLong() + held != stock) {
        consistent = false;
        System.out.println("  AUDIT FAILED for sale " + saleId + ": " + stats);
      }
    }
    if (accounted < reservedByRuns) {
      consistent = false;
      System.out.println("  AUDIT FAILED: the sales account for " + accounted + " reservations, the runs made "
          + reservedByRuns);
    }
  }
}
