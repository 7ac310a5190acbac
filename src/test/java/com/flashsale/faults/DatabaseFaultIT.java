package com.flashsale.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.flashsale.sale.Sale;
import com.flashsale.sale.SaleEvent;
import com.flashsale.testing.Eventually;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A sale stays exactly right while PostgreSQL fails: end-to-end, against {@code target/flashsale.jar local --nodes 2}
 * behind nginx, on a PostgreSQL server the test owns ({@link FaultCluster}). Each scenario storms a sale of its own
 * through nginx while it hurts the database, then restarts every node and checks told orders = entities = read
 * model, stats before = after the restarts, and every stats read balanced ({@link FaultScenario}); each prints its
 * counts. One PostgreSQL and one cluster serve all three scenarios.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class DatabaseFaultIT {

  private static final int NODES = 2;
  private static final int STOCK = 1_500;
  private static final double PACED_BUYERS_PER_SECOND = 40;
  /** After a fault, buyers must be told this many more orders before the storm is unleashed. */
  private static final int ORDERS_AFTER_FAULT = 100;
  private static final Duration RECOVERY = Duration.ofSeconds(90);
  private static final Duration BETWEEN_DROPS = Duration.ofSeconds(3);
  private static final Duration DATABASE_DOWN = Duration.ofSeconds(5);
  private static final Duration COMMIT_HELD = Duration.ofSeconds(10);
  /** The read journal gives a hole up after 10 s, and the read model audit checks every 10 s. */
  private static final Duration LATE_SALE_WAIT = Duration.ofSeconds(40);
  private static final int LATE_SALE_STOCK = 10;

  private FaultCluster cluster;
  private long classStart;

  @BeforeAll
  void startCluster() throws Exception {
    classStart = System.nanoTime();
    Path directory = Path.of("target", "faults", Long.toString(System.currentTimeMillis()));
    System.out.println("DatabaseFaultIT: PostgreSQL data, local.log and node logs under " + directory.toAbsolutePath());
    cluster = FaultCluster.start(directory, NODES, Map.of());
    System.out.printf("DatabaseFaultIT: PostgreSQL and %d nodes behind nginx up in %.1f s%n", NODES,
        (System.nanoTime() - classStart) / 1e9);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
      System.out.printf("DatabaseFaultIT: %.1f s in all; logs in %s%n", (System.nanoTime() - classStart) / 1e9,
          cluster.logs());
    }
  }

  /** (a) PostgreSQL terminates every connection of the nodes twice, a few seconds apart, during a storm. */
  @Test
  @Order(1)
  void aStormWhilePostgresDropsEveryConnectionTwice() throws Exception {
    FaultScenario scenario = FaultScenario.begin(cluster, "(a) PostgreSQL drops every connection twice during a storm",
        STOCK, PACED_BUYERS_PER_SECOND, "drop-");
    try (scenario) {
      scenario.mark("connections dropped (1)");
      int first = cluster.dropConnections();
      FaultCluster.pause(BETWEEN_DROPS);
      scenario.mark("connections dropped (2)");
      int second = cluster.dropConnections();
      scenario.note("pg_terminate_backend ended %d, then %d connections of the nodes", first, second);
      scenario.check(first > 0 && second > 0, "no connection to drop (%d, %d)", first, second);
      scenario.awaitNewOrders(ORDERS_AFTER_FAULT, RECOVERY);
      scenario.mark(ORDERS_AFTER_FAULT + " more orders told");
      scenario.finish();
    }
    scenario.assertPassed();
  }

  /** (b) The PostgreSQL server stops for a few seconds during a storm, then starts again on the same data and port. */
  @Test
  @Order(2)
  void aStormAcrossAPostgresStopAndStart() throws Exception {
    FaultScenario scenario = FaultScenario.begin(cluster, "(b) PostgreSQL stopped for 5 s and started again during a storm",
        STOCK, PACED_BUYERS_PER_SECOND, "stop-");
    try (scenario) {
      scenario.mark("PostgreSQL stopping");
      long stopping = System.nanoTime();
      cluster.stopDatabase();
      scenario.mark("PostgreSQL stopped");
      long stopped = System.nanoTime();
      FaultCluster.pause(DATABASE_DOWN);
      scenario.mark("PostgreSQL starting");
      long starting = System.nanoTime();
      cluster.startDatabase();
      scenario.mark("PostgreSQL started");
      scenario.note("PostgreSQL took %d ms to stop, was down %d ms, took %d ms to start again on the same data and port",
          (stopped - stopping) / 1_000_000, (starting - stopped) / 1_000_000, (System.nanoTime() - starting) / 1_000_000);
      scenario.awaitNewOrders(ORDERS_AFTER_FAULT, RECOVERY);
      scenario.mark(ORDERS_AFTER_FAULT + " more orders told");
      scenario.finish();
    }
    scenario.assertPassed();
  }

  /**
   * (c) A slow commit: the test's own transaction writes a real journal row (SaleCreated of a brand-new sale, in
   * the stormed sale's tag, so the same read-model projection reads both) and holds it open 10 s while the storm's
   * writes, with higher orderings, commit; then commits. The new sale must reach the read model and its entity
   * must answer, and the stormed sale must be exact.
   */
  @Test
  @Order(3)
  void aCommitHeldTenSecondsDuringAStormStillReachesTheReadModel() throws Exception {
    cluster.prepareSerialization();
    FaultScenario scenario = FaultScenario.begin(cluster, "(c) a journal commit held open 10 s during a storm",
        STOCK, PACED_BUYERS_PER_SECOND, "slow-");
    try (scenario) {
      String tag = Sale.tagFor(scenario.saleId);
      checkTheHarnessSerializesLikeTheService(scenario);

      String lateSaleId = newSaleIdTagged(tag);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      SaleEvent.SaleCreated created = new SaleEvent.SaleCreated(lateSaleId, scenario.productId, new BigDecimal("10.00"),
          LATE_SALE_STOCK, now.minusSeconds(1), now.plus(Duration.ofHours(1)), 1, 3600, now, null);
      scenario.mark("late row written, commit held");
      long heldOrdering;
      long committedAbove;
      try (HeldJournalRow row = cluster.holdJournalRowOpen("Sale|" + lateSaleId, 1, created, tag)) {
        heldOrdering = row.ordering();
        // The storm's writes take orderings above the held one and commit.
        Eventually.eventually(COMMIT_HELD,
            () -> assertTrue(committedAbove(row.ordering()) > 0, "no storm write committed above the held row"));
        Duration rest = COMMIT_HELD.minus(row.heldFor());
        if (!rest.isNegative()) {
          FaultCluster.pause(rest);
        }
        committedAbove = cluster.committedJournalRowsAbove(row.ordering());
        row.commit();
        scenario.mark("late row committed");
        scenario.note("late sale %s: its SaleCreated row (ordering %d, tag %s) was held open %.1f s while %d journal "
            + "rows above it committed", lateSaleId, heldOrdering, tag, row.heldFor().toMillis() / 1e3, committedAbove);
      }
      scenario.awaitNewOrders(ORDERS_AFTER_FAULT, RECOVERY);
      scenario.mark(ORDERS_AFTER_FAULT + " more orders told");
      scenario.endStorm();

      SaleStats lateSale = new SaleStats(LATE_SALE_STOCK, LATE_SALE_STOCK, 0, 0, 0);
      long waitStart = System.nanoTime();
      Optional<SaleStats> inReadModel = awaitReadModelSale(lateSaleId, LATE_SALE_WAIT);
      scenario.note("before the restarts: the late sale's sales row %s (looked for %.1f s); the projection of tag %s "
          + "has read up to ordering %s, the late row is ordering %d", inReadModel.map(s -> "is {" + s + "}")
          .orElse("is missing"), (System.nanoTime() - waitStart) / 1e9, tag,
          cluster.projectionOffset(tag).orElse("(none stored)"), heldOrdering);
      scenario.check(inReadModel.equals(Optional.of(lateSale)),
          "the late sale %s is not in the read model %d s after its commit, before the restarts (sales row: %s)",
          lateSaleId, LATE_SALE_WAIT.toSeconds(), inReadModel.map(SaleStats::toString).orElse("none"));

      scenario.restartAndAudit();

      Optional<SaleStats> afterRestarts = awaitReadModelSale(lateSaleId, Duration.ofSeconds(10));
      scenario.check(afterRestarts.equals(Optional.of(lateSale)),
          "the late sale %s is not in the read model after the restarts either (sales row: %s)", lateSaleId,
          afterRestarts.map(SaleStats::toString).orElse("none"));
      try {
        SaleStats entity = cluster.stats(lateSaleId, Duration.ofSeconds(30));
        scenario.note("the late sale's entity answers {%s}; its sales row after the restarts: %s", entity,
            afterRestarts.map(SaleStats::toString).orElse("none"));
        scenario.check(entity.equals(lateSale), "the late sale's entity answers {%s}, not {%s}", entity, lateSale);
      } catch (IllegalStateException | AssertionError e) {
        scenario.check(false, "the late sale's entity does not answer its stats: %s", e.getMessage());
      }
    }
    scenario.assertPassed();
  }

  /**
   * The row the test writes must be what the service would have written: the service's own SaleCreated row of the
   * stormed sale has the same serializer and manifest, no adapter manifest or metadata, the sale's tag, and its
   * payload read back and serialized again by the harness gives the same bytes.
   */
  private void checkTheHarnessSerializesLikeTheService(FaultScenario scenario) throws Exception {
    FaultCluster.JournalRow service = cluster.journalRow("Sale|" + scenario.saleId, 1).orElseThrow();
    Object event = cluster.deserialize(service.event());
    FaultCluster.SerializedEvent again = cluster.serialize(event);
    boolean same = event instanceof SaleEvent.SaleCreated && again.serializerId() == service.event().serializerId()
        && again.manifest().equals(service.event().manifest()) && Arrays.equals(again.payload(), service.event().payload())
        && "".equals(service.adapterManifest()) && service.metaSerializerId() == null
        && service.tags().equals(List.of(Sale.tagFor(scenario.saleId)));
    scenario.note("the service's SaleCreated row: serializer %d, manifest %s, adapter manifest '%s', tags %s, %d bytes; "
        + "the harness serializes it to the same bytes: %s", service.event().serializerId(), service.event().manifest(),
        service.adapterManifest(), service.tags(), service.event().payload().length, same);
    assertTrue(same, "the harness does not write journal rows as the service does: " + service + " vs " + again);
  }

  private long committedAbove(long ordering) {
    try {
      return cluster.committedJournalRowsAbove(ordering);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** The read model's row of the sale once it is there, or empty after {@code within}. */
  private Optional<SaleStats> awaitReadModelSale(String saleId, Duration within) {
    try {
      Eventually.eventually(within, () -> {
        try {
          assertTrue(cluster.readModelSale(saleId).isPresent());
        } catch (SQLException e) {
          throw new AssertionError(e);
        }
      });
      return cluster.readModelSale(saleId);
    } catch (AssertionError | SQLException notThere) {
      return Optional.empty();
    }
  }

  /** A new sale id that the service tags like {@code tag} (Sale.tagFor). */
  private static String newSaleIdTagged(String tag) {
    while (true) {
      String id = UUID.randomUUID().toString();
      if (Sale.tagFor(id).equals(tag)) {
        return id;
      }
    }
  }
}
