package com.flashsale.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.flashsale.testing.Eventually;
import com.flashsale.testing.PurchaseStorm;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * (d) The node hosting a sale's entity is SIGKILLed while buyers pay: end-to-end, against
 * {@code target/flashsale.jar local --nodes 3} behind nginx on a PostgreSQL server the test owns ({@link FaultCluster}).
 * Three nodes, because with two the survivor of a crash downs itself (split-brain resolver, keep-majority).
 *
 * <p>Buyers storm a sale of its own ({@link FaultScenario}); every second one pays with {@code tok_slow-1500} (the
 * simulated gateway charges at once and answers 1.5 s later), so at any moment a dozen payments are between their
 * charge and its confirmation. The node hosting the sale's shard (its Akka Management {@code /cluster/shards/Sale},
 * the shard id as Akka's default extractor computes it, checked against the shard whose entity count rose when the
 * sale was created) is killed with {@code local kill-node I} while payments are at the gateway. Buyers retry 503s
 * after Retry-After; the attempts whose caller died are settled by the sale itself, on the node its shard moved to,
 * {@code FLASHSALE_SETTLE_AFTER} after they began. Then the killed node is started again, the storm sells the sale
 * out, and every node is restarted. Checks: the {@link FaultScenario} ones (told orders = entities = read model,
 * stats balanced at every read, no 5xx but 503) and {@link FaultScenario#auditPayments()} (every approved charge
 * captured once for a confirmed order or given back; no order PENDING); the nodes' own {@code /metrics} show no 5xx
 * but 503 either (nginx reports a node's 500 as 503).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class NodeCrashIT {

  private static final int NODES = 3;
  private static final int STOCK = 1_200;
  private static final double PACED_BUYERS_PER_SECOND = 15;
  /** Paying buyers wait 1.5 s for the gateway: more workers than the database scenarios' 32 keep the pace. */
  private static final int WORKERS = 48;
  /** The simulated gateway charges a {@code tok_slow-N} card at once and answers N ms later. */
  private static final Duration SLOW_CARD = Duration.ofMillis(1500);
  private static final PurchaseStorm.Payments PAYMENTS = new PurchaseStorm.Payments(2, "tok_slow-" + SLOW_CARD.toMillis());
  private static final Duration SETTLE_AFTER = Duration.ofSeconds(10);
  private static final Duration PAYMENT_CALL_TIMEOUT = Duration.ofSeconds(5);
  /** Payments under way (asked, not yet answered) and charges captured but not yet answered when the node is killed. */
  private static final int PAYMENTS_IN_FLIGHT_AT_KILL = 5;
  private static final int CAPTURED_UNANSWERED_AT_KILL = 3;
  private static final int ORDERS_AFTER_FAULT = 100;
  private static final Duration RECOVERY = Duration.ofSeconds(90);

  private FaultCluster cluster;
  private long classStart;

  @BeforeAll
  void startCluster() throws Exception {
    classStart = System.nanoTime();
    Path directory = Path.of("target", "faults", "crash-" + System.currentTimeMillis());
    System.out.println("NodeCrashIT: PostgreSQL data, local.log and node logs under " + directory.toAbsolutePath());
    cluster = FaultCluster.start(directory, NODES, Map.of(
        "FLASHSALE_SETTLE_AFTER", SETTLE_AFTER.toSeconds() + "s",
        "FLASHSALE_PAYMENT_CALL_TIMEOUT", PAYMENT_CALL_TIMEOUT.toSeconds() + "s"));
    System.out.printf("NodeCrashIT: PostgreSQL and %d nodes behind nginx up in %.1f s%n", NODES,
        (System.nanoTime() - classStart) / 1e9);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
      System.out.printf("NodeCrashIT: %.1f s in all; logs in %s%n", (System.nanoTime() - classStart) / 1e9,
          cluster.logs());
    }
  }

  @Test
  void theNodeHostingASaleIsKilledWhileBuyersPay() throws Exception {
    cluster.ensureHealthy();
    Map<Integer, Map<String, Integer>> shardsBefore = cluster.shardsOnEveryNode();
    FaultScenario scenario = FaultScenario.begin(cluster, "(d) SIGKILL of the node hosting the sale while buyers pay",
        STOCK, PACED_BUYERS_PER_SECOND, "crash-", WORKERS, PAYMENTS);
    try (scenario) {
      PurchaseStorm storm = scenario.storm;
      int host = hostOfTheSale(scenario, shardsBefore);

      // Kill it while payments are at the gateway: charged, their confirmation not yet recorded.
      long[] capturedUnanswered = new long[1];
      try {
        Eventually.eventually(Duration.ofSeconds(30), () -> {
          capturedUnanswered[0] = capturedNotAnswered(scenario);
          assertTrue(storm.paymentsInFlight() >= PAYMENTS_IN_FLIGHT_AT_KILL
              && capturedUnanswered[0] >= CAPTURED_UNANSWERED_AT_KILL);
        });
      } catch (AssertionError notEnough) {
        scenario.check(false, "never %d payments under way and %d charges captured but unanswered in 30 s (last: %d, %d)",
            PAYMENTS_IN_FLIGHT_AT_KILL, CAPTURED_UNANSWERED_AT_KILL, storm.paymentsInFlight(), capturedUnanswered[0]);
      }
      int inFlightBefore = storm.paymentsInFlight();
      long capturedBefore = capturedUnanswered[0];
      // `local kill-node` is a JVM of its own, which takes seconds to start on a loaded machine: what was in flight
      // is read when the node's process is seen gone, not when the command was run.
      ProcessHandle process = ProcessHandle.of(cluster.nodePid(host))
          .orElseThrow(() -> new AssertionError("node " + host + "'s process is not running"));
      CompletableFuture<KillMoment> death = new CompletableFuture<>();
      Thread watch = new Thread(() -> {
        try {
          death.complete(awaitDeath(process, scenario));
        } catch (RuntimeException | Error e) {
          death.completeExceptionally(e);
        }
      }, "kill-watch");
      watch.setDaemon(true);
      watch.start();
      List<Integer> hostsNow = cluster.nodesHosting(FaultCluster.shardOf(scenario.saleId));
      scenario.check(hostsNow.equals(List.of(host)), "just before the kill the sale's shard is on %s, not on node %d",
          hostsNow, host);
      scenario.mark("killing node " + host);
      long killStart = System.nanoTime();
      cluster.killNode(host);
      KillMoment killed = death.get(10, TimeUnit.SECONDS);
      scenario.mark("node " + host + " killed");
      scenario.note("`local kill-node %d` run when %d payments were under way (asked, not yet answered) and %d charges "
          + "captured at the gateway but not yet answered 200; the node died %d ms later", host, inFlightBefore,
          capturedBefore, (killed.nanos() - killStart) / 1_000_000);
      long chargedJustBefore = chargedWithin(scenario, killed.at().minus(SLOW_CARD), killed.at());
      scenario.note("payments in flight at the kill: %d under way, %d charges captured but not yet answered 200; %d of "
          + "them charged in the last %d ms before it (the gateway was still holding their answer)",
          killed.paymentsUnderWay(), killed.capturedUnanswered(), chargedJustBefore, SLOW_CARD.toMillis());
      scenario.check(killed.capturedUnanswered() > 0, "no charge was captured and unanswered when the node died");

      scenario.awaitNewOrders(ORDERS_AFTER_FAULT, RECOVERY);
      scenario.mark(ORDERS_AFTER_FAULT + " more orders told");
      String shard = FaultCluster.shardOf(scenario.saleId);
      List<Integer> newHosts = cluster.nodesHosting(shard);
      scenario.note("%.1f s after the kill, %d more orders were told; shard %s is on node(s) %s",
          (System.nanoTime() - killed.nanos()) / 1e9, ORDERS_AFTER_FAULT, shard, newHosts);
      scenario.check(newHosts.size() == 1 && !newHosts.contains(host),
          "after the kill shard %s is hosted by %s, not by one surviving node", shard, newHosts);

      scenario.mark("starting node " + host + " again");
      cluster.startNode(host);
      cluster.awaitEveryNodeUp(Duration.ofSeconds(90));
      scenario.mark("node " + host + " up again");

      scenario.endStorm();
      scenario.awaitPaymentsSettled(SETTLE_AFTER.plusSeconds(30));
      scenario.mark("payments settled");
      nodeMeters(scenario);

      scenario.restartAndAudit();
      scenario.auditPayments();
    }
    scenario.assertPassed();
  }

  /**
   * The node hosting the sale's entity. Its shard is Akka's default {@code Math.abs(saleId.hashCode() % shards)};
   * that this is the sale's shard is checked against the nodes' {@code /cluster/shards/Sale} before and after the
   * sale was created (its entity started with the create): that shard's entities rose by one, on one node. If the
   * two disagree the check fails and the shard that rose (if just one did) names the node instead.
   */
  private int hostOfTheSale(FaultScenario scenario, Map<Integer, Map<String, Integer>> before) {
    String shard = FaultCluster.shardOf(scenario.saleId);
    Map<Integer, Map<String, Integer>> after = cluster.shardsOnEveryNode();
    Map<String, Integer> risen = new TreeMap<>();
    Set<String> shards = new TreeSet<>();
    before.values().forEach(m -> shards.addAll(m.keySet()));
    after.values().forEach(m -> shards.addAll(m.keySet()));
    for (String id : shards) {
      int change = total(after, id) - total(before, id);
      if (change != 0) {
        risen.put(id, change);
      }
    }
    List<Integer> hosts = new ArrayList<>();
    after.forEach((node, onNode) -> {
      if (onNode.containsKey(shard)) {
        hosts.add(node);
      }
    });
    scenario.note("sale %s: shard %s by Math.abs(hashCode %% %d); /cluster/shards/Sale lists it on node(s) %s; shards "
        + "whose entity count changed when the sale was created: %s", scenario.saleId, shard,
        FaultCluster.numberOfShards(), hosts, risen);
    boolean confirmed = hosts.size() == 1 && Integer.valueOf(1).equals(risen.get(shard));
    scenario.check(confirmed, "the sale's shard %s (hosted on %s) is not the one whose entities rose by one "
        + "when it was created: %s", shard, hosts, risen);
    if (confirmed) {
      return hosts.get(0);
    }
    List<String> rose = risen.entrySet().stream().filter(e -> e.getValue() == 1).map(Map.Entry::getKey).toList();
    if (rose.size() == 1) {
      List<Integer> byDifference = cluster.nodesHosting(rose.get(0));
      if (byDifference.size() == 1) {
        return byDifference.get(0);
      }
    }
    throw new AssertionError("cannot tell which node hosts sale " + scenario.saleId + ": shard " + shard + " on "
        + hosts + ", shards changed " + risen);
  }

  /** When the killed node's process was seen gone, and the payments in flight then. */
  private record KillMoment(long nanos, Instant at, int paymentsUnderWay, long capturedUnanswered) {}

  /** Watches the process every millisecond until it is gone (at most a minute), then reads what was in flight. */
  private KillMoment awaitDeath(ProcessHandle process, FaultScenario scenario) {
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (process.isAlive() && System.nanoTime() < giveUp) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    long nanos = System.nanoTime();
    Instant at = Instant.now();
    int underWay = scenario.storm.paymentsInFlight();
    return new KillMoment(nanos, at, underWay, capturedNotAnswered(scenario));
  }

  /** The sale's ledger rows charged in ({@code from}, {@code to}]. */
  private long chargedWithin(FaultScenario scenario, Instant from, Instant to) {
    try {
      return cluster.ledgerOfSale(scenario.saleId).stream()
          .filter(row -> row.chargedAt() != null && row.chargedAt().isAfter(from) && !row.chargedAt().isAfter(to))
          .count();
    } catch (SQLException e) {
      throw new AssertionError("ledger not readable: " + e);
    }
  }

  private static int total(Map<Integer, Map<String, Integer>> shardsByNode, String shard) {
    return shardsByNode.values().stream().mapToInt(m -> m.getOrDefault(shard, 0)).sum();
  }

  /** The sale's CAPTURED ledger rows whose order's payment has not (yet) been answered 200 to its buyer. */
  private long capturedNotAnswered(FaultScenario scenario) {
    try {
      return cluster.ledgerOfSale(scenario.saleId).stream()
          .filter(row -> row.status().equals("CAPTURED") && !scenario.storm.paid.contains(row.orderId())).count();
    } catch (SQLException e) {
      throw new AssertionError("ledger not readable: " + e);
    }
  }

  /**
   * The nodes' own meters, summed, before the restarts: the attempts the sale settled, any still in doubt, and
   * the 5xx answers other than 503 the nodes gave (the killed node's are lost with it).
   */
  private void nodeMeters(FaultScenario scenario) {
    double started = 0;
    double inDoubt = 0;
    Map<String, Double> settled = new LinkedHashMap<>();
    Map<String, Double> serverErrors = new TreeMap<>();
    for (int node = 1; node <= NODES; node++) {
      try {
        started += cluster.metric(node, "flashsale_payment_settlements_started_total", null);
        inDoubt += cluster.metric(node, "flashsale_payments_in_doubt", null);
        for (String outcome : List.of("confirmed", "refunded", "nothing-charged")) {
          settled.merge(outcome, cluster.metric(node, "flashsale_payment_settlements_total",
              "outcome=\"" + outcome + "\""), Double::sum);
        }
        int n = node;
        cluster.metricSamples(node, "http_server_requests_seconds_count").forEach((series, count) -> {
          if (series.matches(".*status=\"5\\d\\d\".*") && !series.contains("status=\"503\"") && count > 0) {
            serverErrors.merge("node " + n + " " + series, count, Double::sum);
          }
        });
      } catch (CompletionException | IllegalStateException e) {
        scenario.check(false, "node %d's /metrics could not be read: %s", node, e);
      }
    }
    scenario.note("payment attempts the sale settled itself (nodes' meters, summed): %.0f started, %s; %.0f still in "
        + "doubt", started, settled, inDoubt);
    scenario.check(inDoubt == 0, "the nodes' meters show %.0f payment attempts still in doubt", inDoubt);
    scenario.check(serverErrors.isEmpty(), "the nodes answered 5xx other than 503: %s", serverErrors);
  }
}
