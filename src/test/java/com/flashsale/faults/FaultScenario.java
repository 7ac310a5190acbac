package com.flashsale.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.Eventually;
import com.flashsale.testing.PurchaseStorm;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One fault scenario on a {@link FaultCluster}: a new sale of its own, a purchase storm on it through nginx
 * ({@link PurchaseStorm}: paced buyers, 503/429/I-O errors retried after Retry-After with the same
 * Idempotency-Key, every fifth order paid), the sale's stats read every 200 ms meanwhile ({@link StatsWatch}). The
 * test injects its fault between {@link #begin} and {@link #finish()} (or {@link #endStorm()} and
 * {@link #restartAndAudit()}), then this checks that the sale stayed exactly right:
 * <ul>
 *   <li>the orders buyers were told (201/200) = what the entities hold (GET /api/orders/{id}: that order, that
 *       buyer, RESERVED or CONFIRMED for the ones paid with a 200; the entity's reserved + confirmed = the told
 *       orders, confirmed = the paid ones) = the read model, read by SQL (the sale's {@code orders} rows are
 *       exactly the told orders, each once, with the right status; its {@code sales} row equals the entity's
 *       stats);</li>
 *   <li>the entity's stats just before every node is restarted (one at a time, gracefully, with the jar's own
 *       {@code local stop-node I} / {@code start-node I}) equal its stats after: no units in memory that the
 *       journal does not hold;</li>
 *   <li>available + reserved + confirmed = stock at every stats read during the storm and after;</li>
 *   <li>no answer was a 5xx other than 503, every error answer was application/problem+json;</li>
 *   <li>never more sold than the stock, and a sale that answered SOLD_OUT told buyers its whole stock.</li>
 * </ul>
 * Failed checks are collected, not thrown, so the report ({@link #close()} prints it) shows every count;
 * {@link #assertPassed()} then fails the test with all of them.
 */
public final class FaultScenario implements AutoCloseable {

  public static final int WORKERS = 32;
  public static final Duration STATS_EVERY = Duration.ofMillis(200);
  private static final Duration READ_MODEL_WAIT = Duration.ofSeconds(15);
  /** How long the entity may take to answer its stats (503s meanwhile) after the storm and after the restarts. */
  private static final Duration ENTITY_WAIT = Duration.ofSeconds(30);

  private final FaultCluster cluster;
  public final String name;
  public final String productId;
  public final String saleId;
  public final int stock;
  public final PurchaseStorm storm;
  private final StatsWatch watch;
  private final long startNanos = System.nanoTime();
  private final Map<String, long[]> timeline = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final List<String> counts = new ArrayList<>();
  private boolean stormEnded;
  private boolean watchClosed;
  private long unleashedAtNanos;
  private SaleStats before;
  private SaleStats after;

  private FaultScenario(FaultCluster cluster, String name, String productId, String saleId, int stock,
      double pacedPerSecond, String keyPrefix, int workers, PurchaseStorm.Payments payments) {
    this.cluster = cluster;
    this.name = name;
    this.productId = productId;
    this.saleId = saleId;
    this.stock = stock;
    this.watch = new StatsWatch(cluster.api(), cluster.adminToken(), saleId, STATS_EVERY);
    this.storm = cluster.storm(saleId, pacedPerSecond, workers, keyPrefix, payments);
    mark("storm started");
  }

  /**
   * Brings the cluster back to normal if an earlier scenario left it half-way, creates a sale of {@code stock}
   * units, starts the stats watch and the storm ({@code pacedPerSecond} buyers a second, {@link #WORKERS} workers,
   * every fifth order paid) and returns once 100 orders were told, i.e. the sale is selling.
   */
  public static FaultScenario begin(FaultCluster cluster, String name, int stock, double pacedPerSecond,
      String keyPrefix) throws Exception {
    return begin(cluster, name, stock, pacedPerSecond, keyPrefix, WORKERS, PurchaseStorm.Payments.EVERY_FIFTH);
  }

  /** As above, with {@code workers} buyer threads paying as {@code payments} says. */
  public static FaultScenario begin(FaultCluster cluster, String name, int stock, double pacedPerSecond,
      String keyPrefix, int workers, PurchaseStorm.Payments payments) throws Exception {
    cluster.ensureHealthy();
    String productId = cluster.createProduct(name);
    String saleId = cluster.createLiveSale(productId, stock);
    FaultScenario scenario = new FaultScenario(cluster, name, productId, saleId, stock, pacedPerSecond, keyPrefix,
        workers, payments);
    try {
      scenario.awaitNewOrders(100, Duration.ofSeconds(60));
    } catch (RuntimeException | Error e) {
      scenario.close();
      throw e;
    }
    return scenario;
  }

  /** A step of the scenario, for the report's timeline (with the orders told by then). */
  public void mark(String step) {
    timeline.put(step, new long[] {System.nanoTime(), storm == null ? 0 : storm.orders.size()});
  }

  /** A line for the report. */
  public void note(String format, Object... args) {
    notes.add(String.format(format, args));
  }

  /** A check: a failure is recorded (and fails the test in {@link #assertPassed()}), the scenario goes on. */
  public void check(boolean ok, String format, Object... args) {
    if (!ok) {
      failures.add(String.format(format, args));
    }
  }

  /** Waits until buyers have been told {@code count} more orders, e.g. to see purchases flow again after a fault. */
  public void awaitNewOrders(int count, Duration within) {
    int base = storm.orders.size();
    try {
      Eventually.eventually(within, () -> assertTrue(storm.orders.size() >= base + count || storm.soldOut()));
    } catch (AssertionError stuck) {
      throw new AssertionError(name + ": buyers were told " + (storm.orders.size() - base) + " orders in " + within
          + ", not " + count + " (storm outcomes so far: " + storm.outcomes() + ")", stuck);
    }
  }

  /** {@link #endStorm()}, then {@link #restartAndAudit()}. */
  public void finish() throws Exception {
    endStorm();
    restartAndAudit();
  }

  /**
   * The fault is over: buyers come as fast as they can until the sale sells out, then the watch stops and the
   * entity's stats are read (the "before restart" ones).
   */
  public void endStorm() throws Exception {
    check(!storm.soldOut(), "the sale sold out before the fault was over: raise its stock");
    mark("storm unleashed");
    unleashedAtNanos = System.nanoTime();
    storm.unleash();
    if (!storm.awaitDone(3, TimeUnit.MINUTES)) {
      check(false, "the storm did not sell the sale out in 3 minutes");
      storm.stop();
      storm.awaitDone(100, TimeUnit.SECONDS);
    }
    stormEnded = true;
    mark(storm.soldOut() ? "sold out" : "storm over");
    watch.close();
    watchClosed = true;
    before = entityStats("before the restarts");
  }

  /** Restarts every node, reads the stats again, and checks everything against the told orders. */
  public void restartAndAudit() throws Exception {
    mark("restarting every node");
    Duration restart = cluster.restartEveryNode();
    mark("every node restarted");
    note("restarting the %d nodes one at a time took %.1f s", cluster.nodes(), restart.toMillis() / 1e3);
    after = entityStats("after the restarts");
    audit();
    mark("audited");
  }

  public SaleStats statsBeforeRestart() {
    return before;
  }

  public SaleStats statsAfterRestart() {
    return after;
  }

  /** The entity's stats, checked; null (and a failure) if it gives none within {@link #ENTITY_WAIT}. */
  private SaleStats entityStats(String when) {
    SaleStats stats;
    try {
      stats = cluster.stats(saleId, ENTITY_WAIT);
    } catch (AssertionError | IllegalStateException noStats) {
      check(false, "the sale's entity gave no stats %s in %d s (last: %s)", when, ENTITY_WAIT.toSeconds(),
          noStats.getMessage());
      return null;
    }
    check(stats.balanced(), "the stats %s do not add up (available + reserved + confirmed != stock): %s", when, stats);
    check(stats.stock() == stock, "the stats %s: stock %d, the sale was created with %d", when, stats.stock(), stock);
    return stats;
  }

  private void audit() throws SQLException {
    Map<String, String> told = Map.copyOf(storm.orders);
    Set<String> paid = Set.copyOf(storm.paid);

    // The answers buyers got.
    List<String> unexpected = List.copyOf(storm.unexpected);
    check(unexpected.isEmpty(), "%d unexpected answers, e.g. %s", unexpected.size(), unexpected.stream().limit(10).toList());
    Map<String, Long> fiveHundreds = new LinkedHashMap<>();
    storm.outcomes().forEach((outcome, count) -> {
      String[] parts = outcome.split(" ");
      if (parts.length > 1 && parts[1].startsWith("5") && !parts[1].equals("503")) {
        fiveHundreds.put(outcome, count);
      }
    });
    check(fiveHundreds.isEmpty(), "5xx answers other than 503: %s", fiveHundreds);
    List<String> watchFailures = watch.failures();
    check(watchFailures.isEmpty(), "%d stats reads during the storm broke a rule, e.g. %s", watchFailures.size(),
        watchFailures.stream().limit(5).toList());

    // The stock and the entity's counts.
    check(told.size() <= stock, "buyers were told %d orders, the stock is %d", told.size(), stock);
    if (storm.soldOut()) {
      check(told.size() == stock, "the sale answered SOLD_OUT with buyers told %d orders of its %d units",
          told.size(), stock);
    }
    if (before != null && after != null) {
      check(before.equals(after), "the entity's stats changed across the restarts (units in memory that the journal "
          + "does not hold): before {%s}, after {%s}", before, after);
    }
    if (after != null) {
      check(after.sold() == told.size(), "after the restarts the entity holds %d units (reserved + confirmed), buyers "
          + "were told %d orders", after.sold(), told.size());
      check(after.confirmed() == paid.size(), "after the restarts the entity has %d confirmed, %d payments answered 200",
          after.confirmed(), paid.size());
    }

    // Every told order, as the entity answers it (not asked when the entity answers nothing).
    int held = 0;
    Map<String, Integer> missing = new LinkedHashMap<>();
    List<String> wrong = new ArrayList<>();
    if (after != null) {
      Map<String, ApiClient.Response> answers = cluster.entityOrders(new ArrayList<>(told.keySet()));
      for (Map.Entry<String, String> order : told.entrySet()) {
        ApiClient.Response answer = answers.get(order.getKey());
        if (answer == null || answer.status() != 200) {
          String why = answer == null ? "no answer" : answer.status() + " " + answer.code();
          missing.merge(why, 1, Integer::sum);
          continue;
        }
        JsonNode json = answer.json();
        String expectedStatus = paid.contains(order.getKey()) ? "CONFIRMED" : "RESERVED";
        if (order.getKey().equals(json.path("id").asText()) && order.getValue().equals(json.path("userId").asText())
            && expectedStatus.equals(json.path("status").asText()) && json.path("quantity").asInt() == 1) {
          held++;
        } else {
          wrong.add(order.getKey() + " told to " + order.getValue() + " (" + expectedStatus + "), entity: " + json);
        }
      }
      check(held == told.size(), "the entity holds %d of the %d told orders as told: missing %s, wrong %d, e.g. %s",
          held, told.size(), missing, wrong.size(), wrong.stream().limit(3).toList());
    }

    // The read model, by SQL, once the projection has caught up (or the last difference seen).
    AtomicReference<String> difference = new AtomicReference<>();
    AtomicReference<Map<String, FaultCluster.OrderRow>> lastRows = new AtomicReference<>(Map.of());
    AtomicReference<Optional<SaleStats>> lastSale = new AtomicReference<>(Optional.empty());
    long readModelStart = System.nanoTime();
    try {
      Eventually.eventually(READ_MODEL_WAIT, () -> {
        try {
          lastRows.set(cluster.readModelOrders(saleId));
          lastSale.set(cluster.readModelSale(saleId));
        } catch (SQLException e) {
          throw new AssertionError("read model not readable: " + e);
        }
        difference.set(readModelDifference(told, paid, lastRows.get(), lastSale.get()));
        assertTrue(difference.get() == null, difference.get());
      });
      note("the read model matched %.1f s after the restarts", (System.nanoTime() - readModelStart) / 1e9);
    } catch (AssertionError notMatched) {
      check(false, "the read model still differs %d s after the restarts: %s", READ_MODEL_WAIT.toSeconds(),
          difference.get() == null ? notMatched.getMessage() : difference.get());
    }

    counts.add(String.format("buyers %d, told orders %d (paid %d), retries %d, sold out %s; %d orders told before "
        + "the storm was unleashed", storm.buyers(), told.size(), paid.size(), storm.retries(),
        storm.soldOut() ? "yes" : "no", timeline.getOrDefault("storm unleashed", new long[] {0, 0})[1]));
    counts.add("stats before the restarts: " + (before == null ? "none (the entity gave none)" : before));
    counts.add("stats after the restarts:  " + (after == null ? "none (the entity gave none)" : after));
    counts.add(after == null ? "entity: the told orders were not asked for (the entity gives no stats)"
        : String.format("entity: %d of %d told orders held as told; missing %s; wrong %d", held, told.size(), missing,
            wrong.size()));
    Map<String, Long> rowStatuses = new java.util.TreeMap<>();
    lastRows.get().values().forEach(row -> rowStatuses.merge(row.status(), 1L, Long::sum));
    long rowsTold = lastRows.get().keySet().stream().filter(told::containsKey).count();
    counts.add(String.format("read model: %d orders rows %s, %d of them told, %d told orders without a row; sales row: %s",
        lastRows.get().size(), rowStatuses, rowsTold, told.size() - rowsTold,
        lastSale.get().map(SaleStats::toString).orElse("none")));
  }

  // ---- payments (for a storm whose buyers pay with a slow card, see NodeCrashIT) ----

  /**
   * Waits (at most {@code within}) until no told order's payment is PENDING in its entity (every attempt in doubt
   * settled, by its caller or by the sale); a failed check if some still are. Returns how long it took.
   */
  public Duration awaitPaymentsSettled(Duration within) {
    long start = System.nanoTime();
    AtomicReference<Map<String, String>> notSettled = new AtomicReference<>(Map.of());
    try {
      Eventually.eventually(within, () -> {
        notSettled.set(ordersNotSettled());
        assertTrue(notSettled.get().isEmpty(), notSettled.get().size() + " orders not settled");
      });
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      note("no told order's payment was PENDING %.1f s after the storm ended", took.toMillis() / 1e3);
      return took;
    } catch (AssertionError stillPending) {
      check(false, "%d told orders still PENDING (or unanswered) %d s after the storm ended, e.g. %s",
          notSettled.get().size(), within.toSeconds(), notSettled.get().entrySet().stream().limit(5).toList());
      return Duration.ofNanos(System.nanoTime() - start);
    }
  }

  /** Told orders whose entity answers paymentStatus PENDING (or nothing), with what it answered. */
  private Map<String, String> ordersNotSettled() {
    Map<String, String> notSettled = new LinkedHashMap<>();
    cluster.entityOrders(new ArrayList<>(storm.orders.keySet())).forEach((id, answer) -> {
      if (answer == null || answer.status() != 200) {
        notSettled.put(id, answer == null ? "no answer" : answer.status() + " " + answer.code());
      } else if ("PENDING".equals(textOrNull(answer.json(), "paymentStatus"))) {
        notSettled.put(id, answer.body());
      }
    });
    return notSettled;
  }

  /**
   * Every approved charge captured once or refunded, as the entities, the gateway's ledger and the read model say:
   * <ul>
   *   <li>every order paid (pay answered 200) is CONFIRMED in its entity with paymentStatus CAPTURED and the
   *       paymentRef the buyer was told; the ledger has exactly one CAPTURED row for it, with that payment_ref;
   *       its read-model row has that payment_ref and payment_status CAPTURED;</li>
   *   <li>no order has more than one CAPTURED row; every ledger row of an order that is not CONFIRMED (or that no
   *       buyer was told) is REFUNDED, DECLINED or VOIDED; a CONFIRMED order's other rows are not CAPTURED;</li>
   *   <li>no told order is PENDING; every payment sent again after a 503 (or no answer) ended 200 CONFIRMED.</li>
   * </ul>
   * Call after {@link #restartAndAudit()}; adds the ledger's counts to the report.
   */
  public void auditPayments() throws SQLException {
    Map<String, String> told = Map.copyOf(storm.orders);
    Set<String> paid = Set.copyOf(storm.paid);
    Map<String, String> toldRefs = Map.copyOf(storm.paymentRefs);
    Map<String, List<String>> retried = Map.copyOf(storm.paymentsRetried);
    Map<String, ApiClient.Response> answers = cluster.entityOrders(new ArrayList<>(told.keySet()));
    List<FaultCluster.LedgerRow> ledger = cluster.ledgerOfSale(saleId);
    Map<String, FaultCluster.OrderRow> rows = cluster.readModelOrders(saleId);
    long voided = cluster.voidedKeys();

    Map<String, List<FaultCluster.LedgerRow>> ledgerByOrder = new LinkedHashMap<>();
    Map<String, Long> ledgerStatuses = new java.util.TreeMap<>();
    for (FaultCluster.LedgerRow row : ledger) {
      ledgerByOrder.computeIfAbsent(row.orderId(), id -> new ArrayList<>()).add(row);
      ledgerStatuses.merge(row.status(), 1L, Long::sum);
    }
    Map<String, JsonNode> entity = new HashMap<>();
    answers.forEach((id, answer) -> {
      if (answer != null && answer.status() == 200) {
        entity.put(id, answer.json());
      }
    });

    // Every paid order: confirmed with the charge the buyer was told, captured exactly once.
    List<String> paidWrong = new ArrayList<>();
    for (String id : paid) {
      JsonNode order = entity.get(id);
      List<FaultCluster.LedgerRow> charges = ledgerByOrder.getOrDefault(id, List.of());
      List<FaultCluster.LedgerRow> captured = charges.stream().filter(r -> r.status().equals("CAPTURED")).toList();
      FaultCluster.OrderRow row = rows.get(id);
      String ref = toldRefs.get(id);
      String why = null;
      if (order == null) {
        why = "the entity does not answer it";
      } else if (!"CONFIRMED".equals(textOrNull(order, "status")) || !"CAPTURED".equals(textOrNull(order, "paymentStatus"))) {
        why = "entity: " + textOrNull(order, "status") + " / " + textOrNull(order, "paymentStatus");
      } else if (ref == null || ref.isEmpty() || !ref.equals(textOrNull(order, "paymentRef"))) {
        why = "told paymentRef " + ref + ", entity's " + textOrNull(order, "paymentRef");
      } else if (captured.size() != 1 || !ref.equals(captured.get(0).paymentRef())) {
        why = captured.size() + " CAPTURED ledger rows " + charges;
      } else if (row == null || !ref.equals(row.paymentRef()) || !"CAPTURED".equals(row.paymentStatus())) {
        why = "read model row " + row;
      }
      if (why != null) {
        paidWrong.add(id + ": " + why);
      }
    }
    check(paidWrong.isEmpty(), "%d of %d paid orders are not confirmed with exactly one captured charge, the one the "
        + "buyer was told: e.g. %s", paidWrong.size(), paid.size(), paidWrong.stream().limit(5).toList());

    // Every ledger row: one capture at most per order, and only for a confirmed order with that charge.
    List<String> doubled = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    ledgerByOrder.forEach((id, charges) -> {
      List<FaultCluster.LedgerRow> captured = charges.stream().filter(r -> r.status().equals("CAPTURED")).toList();
      if (captured.size() > 1) {
        doubled.add(id + " " + charges);
      }
      JsonNode order = entity.get(id);
      boolean confirmed = told.containsKey(id) && order != null && "CONFIRMED".equals(textOrNull(order, "status"));
      for (FaultCluster.LedgerRow charge : charges) {
        boolean givenBack = Set.of("REFUNDED", "DECLINED", "VOIDED").contains(charge.status());
        boolean itsCharge = confirmed && charge.status().equals("CAPTURED")
            && charge.paymentRef() != null && charge.paymentRef().equals(textOrNull(order, "paymentRef"));
        if (!givenBack && !itsCharge) {
          kept.add(id + " (" + (order == null ? (told.containsKey(id) ? "no entity answer" : "not told")
              : textOrNull(order, "status") + " " + textOrNull(order, "paymentRef")) + "): " + charge);
        }
      }
    });
    check(doubled.isEmpty(), "%d orders have more than one CAPTURED charge, e.g. %s", doubled.size(),
        doubled.stream().limit(5).toList());
    check(kept.isEmpty(), "%d ledger rows are neither the captured charge of a CONFIRMED order nor refunded, declined "
        + "or voided, e.g. %s", kept.size(), kept.stream().limit(5).toList());

    // No payment left in doubt; every payment sent again ended paid.
    List<String> pending = entity.entrySet().stream()
        .filter(e -> "PENDING".equals(textOrNull(e.getValue(), "paymentStatus"))).map(Map.Entry::getKey).toList();
    check(pending.isEmpty(), "%d told orders are PENDING after the restarts, e.g. %s", pending.size(),
        pending.stream().limit(5).toList());
    List<String> retriedNotPaid = retried.keySet().stream().filter(id -> !paid.contains(id)).toList();
    check(retriedNotPaid.isEmpty(), "%d payments sent again after a 503 or no answer did not end 200 CONFIRMED, e.g. %s",
        retriedNotPaid.size(), retriedNotPaid.stream().limit(5).map(id -> id + " " + retried.get(id)).toList());
    long retried503 = retried.values().stream().filter(h -> h.stream().anyMatch(a -> a.startsWith("503"))).count();
    long severalAttempts = ledgerByOrder.values().stream().filter(charges -> charges.size() > 1).count();

    counts.add(String.format("payments: %d paid (200 CONFIRMED); %d sent more than once (%d of them after a 503), all "
        + "ended paid: %s", paid.size(), retried.size(), retried503, retriedNotPaid.isEmpty() ? "yes" : "no"));
    counts.add(String.format("ledger of the sale's orders: %s (%d rows); %d orders with more than one row; VOIDED "
        + "keys in the whole ledger: %d", ledgerStatuses, ledger.size(), severalAttempts, voided));
    counts.add(String.format("charges captured %d, refunded %d, voided %d", ledgerStatuses.getOrDefault("CAPTURED", 0L),
        ledgerStatuses.getOrDefault("REFUNDED", 0L), voided));
  }

  private static String textOrNull(JsonNode json, String field) {
    JsonNode value = json.path(field);
    return value.isTextual() ? value.asText() : null;
  }

  /** Null if the read model is exactly the told orders with the entity's counts, else what differs. */
  private String readModelDifference(Map<String, String> told, Set<String> paid, Map<String, FaultCluster.OrderRow> rows,
      Optional<SaleStats> sale) {
    List<String> differences = new ArrayList<>();
    Set<String> notTold = new HashSet<>(rows.keySet());
    notTold.removeAll(told.keySet());
    Set<String> noRow = new HashSet<>(told.keySet());
    noRow.removeAll(rows.keySet());
    if (!notTold.isEmpty()) {
      differences.add(notTold.size() + " rows of orders no buyer was told, e.g. " + notTold.stream().limit(3).toList());
    }
    if (!noRow.isEmpty()) {
      differences.add(noRow.size() + " told orders without a row, e.g. " + noRow.stream().limit(3).toList());
    }
    List<String> wrong = new ArrayList<>();
    rows.values().stream().filter(row -> told.containsKey(row.id())).forEach(row -> {
      String expectedStatus = paid.contains(row.id()) ? "CONFIRMED" : "RESERVED";
      if (!row.userId().equals(told.get(row.id())) || !row.status().equals(expectedStatus) || row.quantity() != 1) {
        wrong.add(row + " (told to " + told.get(row.id()) + ", " + expectedStatus + ")");
      }
    });
    if (!wrong.isEmpty()) {
      differences.add(wrong.size() + " rows with the wrong buyer, status or quantity, e.g. " + wrong.stream().limit(3).toList());
    }
    if (sale.isEmpty()) {
      differences.add("no sales row");
    } else if (after != null && !sale.get().equals(after)) {
      differences.add("sales row {" + sale.get() + "} != the entity's stats {" + after + "}");
    }
    return differences.isEmpty() ? null : String.join("; ", differences);
  }

  /** The longest time from the storm's start to its unleashing in which no purchase was answered 201, 200 or 409. */
  private long longestPurchaseGapMillis() {
    long end = unleashedAtNanos == 0 ? System.nanoTime() : unleashedAtNanos;
    SortedSet<Long> answered = new TreeSet<>();
    storm.answers.stream().filter(a -> a.what().equals("purchase"))
        .filter(a -> a.status() == 200 || a.status() == 201 || a.status() == 409)
        .forEach(a -> answered.add(a.endNanos()));
    long previous = startNanos;
    long longest = 0;
    for (long at : answered.subSet(startNanos, end)) {
      longest = Math.max(longest, at - previous);
      previous = at;
    }
    return Math.max(longest, end - previous) / 1_000_000;
  }

  /** Purchase requests (each try) started in [from, to): how many, their latency, and orders told per second. */
  private String purchaseLatencies(String phase, long from, long to) {
    long[] millis = storm.answers.stream().filter(a -> a.what().equals("purchase"))
        .filter(a -> a.startNanos() >= from && a.startNanos() < to)
        .mapToLong(a -> (a.endNanos() - a.startNanos()) / 1_000_000).sorted().toArray();
    if (millis.length == 0) {
      return "purchase requests " + phase + ": none\n";
    }
    long told = storm.answers.stream().filter(a -> a.what().equals("purchase"))
        .filter(a -> a.startNanos() >= from && a.startNanos() < to && (a.status() == 201 || a.status() == 200)).count();
    long last = storm.answers.stream().filter(a -> a.startNanos() >= from && a.startNanos() < to)
        .mapToLong(PurchaseStorm.Answer::endNanos).max().orElse(from);
    return String.format("purchase requests %s: %d, %d told (%.0f/s); latency p50 %d ms, p99 %d ms, max %d ms%n", phase,
        millis.length, told, told / Math.max(0.001, (last - from) / 1e9), millis[millis.length / 2],
        millis[Math.min(millis.length - 1, (int) Math.ceil(millis.length * 0.99) - 1)], millis[millis.length - 1]);
  }

  public String report() {
    StringBuilder out = new StringBuilder(String.format("%n== %s%n", name));
    out.append(String.format("sale %s, stock %d, %d nodes; scenario took %.1f s%n", saleId, stock, cluster.nodes(),
        (System.nanoTime() - startNanos) / 1e9));
    counts.forEach(line -> out.append(line).append('\n'));
    out.append("answers:\n");
    storm.outcomes().forEach((outcome, count) -> out.append(String.format("  %-30s %6d%n", outcome, count)));
    Map<String, Integer> ioErrors = new HashMap<>();
    storm.ioErrors.forEach(error -> ioErrors.merge(error, 1, Integer::sum));
    ioErrors.forEach((error, count) -> out.append(String.format("  no answer %dx: %s%n", count, error)));
    out.append(String.format("longest time without a purchase answered (201/200/409) before the storm was unleashed: "
        + "%d ms%n", longestPurchaseGapMillis()));
    out.append(purchaseLatencies("paced (through the fault)", startNanos, unleashedAtNanos == 0 ? Long.MAX_VALUE : unleashedAtNanos));
    if (unleashedAtNanos != 0) {
      out.append(purchaseLatencies("unleashed (to the sell-out)", unleashedAtNanos, Long.MAX_VALUE));
    }
    out.append("stats watch: ").append(watch.summary()).append('\n');
    out.append("timeline:\n");
    timeline.forEach((step, at) -> out.append(String.format("  %7.1f s  %-40s (%d orders told)%n",
        (at[0] - startNanos) / 1e9, step, at[1])));
    notes.forEach(line -> out.append(line).append('\n'));
    if (!failures.isEmpty()) {
      List<String> errors = cluster.nodeLogErrors(saleId, 4);
      if (!errors.isEmpty()) {
        out.append("node log errors naming the sale (first of each kind):\n");
        errors.forEach(line -> out.append("  ").append(line).append('\n'));
      }
    }
    if (failures.isEmpty()) {
      out.append("PASSED: every check held\n");
    } else {
      out.append("FAILED checks (").append(failures.size()).append("):\n");
      failures.forEach(failure -> out.append("  - ").append(failure).append('\n'));
    }
    out.append("logs: ").append(cluster.logs()).append('\n');
    return out.toString();
  }

  /** Fails with every failed check. */
  public void assertPassed() {
    assertTrue(failures.isEmpty(), name + ": " + failures.size() + " failed check(s):\n  - "
        + String.join("\n  - ", failures));
  }

  /**
   * Ends what is still running (the storm, the watch), starts PostgreSQL again if the scenario ended while it was
   * stopped, and prints the report.
   */
  @Override
  public void close() throws Exception {
    try {
      if (!stormEnded) {
        storm.stop();
        if (!cluster.databaseRunning()) {
          cluster.startDatabase();
        }
        storm.awaitDone(100, TimeUnit.SECONDS);
      }
      if (!watchClosed) {
        watch.close();
      }
      if (!cluster.databaseRunning()) {
        cluster.startDatabase();
      }
    } finally {
      System.out.println(report());
    }
  }
}
