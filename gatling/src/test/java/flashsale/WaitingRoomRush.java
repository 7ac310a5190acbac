package flashsale;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import flashsale.support.AdminApi;
import flashsale.support.Audit;
import flashsale.support.Buyer;
import flashsale.support.Calls;
import flashsale.support.Ledger;
import flashsale.support.Params;
import flashsale.support.PurchaseStats;
import flashsale.support.RoomAudit;
import flashsale.support.RoomLog;
import flashsale.support.RushSummary;
import flashsale.support.WaitingRoom;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flash crowd through a waiting room: a sale of {@code -Dstock} units with a room whose pre-queue opens at
 * setup. {@code -Dprequeue} buyers arrive over {@code -DprequeueSeconds} and join the pre-queue; once every one
 * of them has joined, the sale is set to start {@code -DstartGapSeconds} later; from a second after the start,
 * {@code -Dafter} more buyers arrive at {@code -Drate} a second and join behind them. Each buyer solves the proof
 * of work, joins, checks in as the room asks until it answers for good, and once admitted buys with the pass,
 * then pays, cancels or walks away ({@link WaitingRoom}). {@code -Dprobes} buyers try to buy without a valid pass
 * of their own meanwhile.
 *
 * <p>Ends with the {@link Audit} (no oversell, every acknowledged order listed once …) extended by the
 * {@link RoomAudit} (every purchase had a pass, the pre-queue's winners a random sample of it, after-start
 * joiners admitted in arrival order, a definite answer for everyone, purchase p99 under
 * {@code -DpurchaseP99Ms}), and writes {@code target/waiting-room-rush-summary.json}: FlashSaleRush's keys plus
 * the room's (ETA error included), see README.md.
 *
 * <p>The start is set only once the pre-queue has joined (the sale is created with a provisional start 15
 * seconds later than planned, and moved to {@code -DstartGapSeconds} after the last join if the sale has not
 * started by then), so that a slow client or node cannot turn late pre-queue arrivals into after-start joiners; the
 * after-start arrivals wait for it. The provisional start is near the real one because the room asks pre-queue
 * buyers back by the start it knows (half the time left): a start moved a minute earlier would leave them away
 * for up to {@code longest-check-in} after it. Who joined before the start is judged from the
 * tickets ({@code joined}) anyway.
 */
public class WaitingRoomRush extends Simulation {

  /** After-start buyers arrive from this long after the start. */
  private static final Duration AFTER_START_DELAY = Duration.ofSeconds(1);
  /** How long past {@code prequeueSeconds} the sale waits for the pre-queue's joins before starting regardless. */
  private static final Duration OPENER_PATIENCE = Duration.ofSeconds(60);
  /** How much later than planned the provisional start is. */
  private static final Duration PROVISIONAL_SLACK = Duration.ofSeconds(15);

  private final int prequeue = Params.integer("prequeue", 20_000);
  private final int after = Params.integer("after", 80_000);
  private final int stock = Params.integer("stock", 1_000);
  private final int prequeueSeconds = Math.max(1, Params.integer("prequeueSeconds", 20));
  private final int startGapSeconds = Math.max(1, Params.integer("startGapSeconds", 3));
  private final double rate = Params.number("rate", 2_000);
  private final int admissionRate = Params.integer("admissionRate", 0);
  private final int difficulty = Params.integer("difficulty", 8);
  private final int holdSeconds = Params.integer("holdSeconds", 15);
  private final int probes = Params.integer("probes", 10);

  private final Ledger ledger = new Ledger();
  private final PurchaseStats purchases = new PurchaseStats();
  private final AdminApi admin = AdminApi.forFirstBaseUrl();
  private final Buyer buyer = new Buyer(ledger, purchases);
  private final RoomLog log = new RoomLog();
  private final WaitingRoom room = new WaitingRoom(ledger, buyer, log);
  private final RoomAudit roomAudit = new RoomAudit(log, ledger, purchases);
  private volatile String saleId;
  private volatile Instant created;
  private volatile Instant provisionalStart;
  /** The sale's start: null until the opener has set it. */
  private volatile Instant saleStart;

  /** Sets the start once every pre-queue buyer's join was answered (or its patience ran out). */
  private final ScenarioBuilder opener = scenario("open the sale")
      .asLongAs(session -> log.joinsAnswered() < prequeue
          && Instant.now().isBefore(created.plusSeconds(prequeueSeconds).plus(OPENER_PATIENCE)))
      .on(pause(Duration.ofMillis(200)))
      .exec(session -> {
        openSale();
        return session;
      });
  private final ScenarioBuilder prequeueBuyers = scenario("pre-queue buyers").exec(room.visit(session -> saleId));
  private final ScenarioBuilder afterStartBuyers = scenario("after-start buyers")
      .asLongAs(session -> !startedFor(AFTER_START_DELAY)).on(pause(Duration.ofMillis(100)))
      .exec(room.visit(session -> saleId));
  private final ScenarioBuilder probing = scenario("buyers without a pass")
      .asLongAs(session -> !startedFor(AFTER_START_DELAY)).on(pause(Duration.ofMillis(100)))
      .exec(room.probeWithoutPass(session -> saleId));

  {
    if (prequeue < 0 || after < 0 || prequeue + after == 0) {
      throw new IllegalArgumentException("-Dprequeue and -Dafter must not be negative, nor both 0");
    }
    Duration untilAfterStart = Duration.ofSeconds(prequeueSeconds + startGapSeconds).plus(AFTER_START_DELAY);
    PopulationBuilder prequeued = prequeueBuyers.injectOpen(prequeue > 0
        ? rampUsers(prequeue).during(Duration.ofSeconds(prequeueSeconds)) : nothingFor(Duration.ofSeconds(1)));
    PopulationBuilder afterStart = afterStartBuyers.injectOpen(nothingFor(untilAfterStart),
        rampUsers(after).during(FlashSaleRush.wholeSeconds(after / rate)));
    List<PopulationBuilder> populations = new ArrayList<>();
    populations.add(opener.injectOpen(atOnceUsers(1)));
    // The audit follows the population that ends last, and waits for every buyer anyway (Ledger#busyUsers).
    if (after > 0) {
      populations.add(prequeued);
      populations.add(Audit.after(afterStart, ledger, admin, roomAudit));
    } else {
      populations.add(Audit.after(prequeued, ledger, admin, roomAudit));
    }
    if (probes > 0) {
      populations.add(probing.injectOpen(nothingFor(untilAfterStart), atOnceUsers(probes)));
    }
    setUp(populations).protocols(Calls.protocol()).assertions(Audit.assertions());
  }

  /**
   * The admin creates the product and the sale, its pre-queue open now; its provisional start, a few seconds after
   * the planned one, is moved by the opener once the pre-queue has joined.
   */
  @Override
  public void before() {
    admin.login();
    String productId = admin.createProduct("Waiting-room unit", "20.00");
    ledger.productId(productId);
    created = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant provisional = created.plusSeconds(prequeueSeconds + startGapSeconds).plus(PROVISIONAL_SLACK);
    provisionalStart = provisional;
    Map<String, Object> waitingRoom = new LinkedHashMap<>();
    waitingRoom.put("prequeueOpensAt", created.minusSeconds(1).toString());
    waitingRoom.put("difficulty", difficulty);
    waitingRoom.put("admissionRate", admissionRate);
    saleId = admin.createSale(productId, stock, provisional, provisional.plus(Duration.ofHours(2)), holdSeconds,
        waitingRoom);
    ledger.touch(saleId);
    roomAudit.sale(saleId, provisional);
    System.out.printf("ROOM sale %s: %d units, pre-queue open now; %d buyers join the pre-queue over %d s, the sale "
            + "starts %d s after the last of them, %d more arrive after the start at up to %.0f/s; admission rate %s, "
            + "difficulty %d bits; %d probes without a pass; via %s%n", saleId, stock, prequeue, prequeueSeconds,
        startGapSeconds, after, rate, admissionRate == 0 ? "automatic" : admissionRate + "/s", difficulty, probes,
        Params.baseUrls());
  }

  private void openSale() {
    Instant start = Instant.now().plusSeconds(startGapSeconds).truncatedTo(ChronoUnit.MILLIS);
    try {
      admin.moveStart(saleId, start);
    } catch (RuntimeException e) {
      System.out.println("ROOM could not move the start (" + e.getMessage() + "): the sale starts as created");
      start = provisionalStart;
    }
    roomAudit.sale(saleId, start);
    saleStart = start;
    System.out.printf("ROOM sale %s starts %s: %d of %d pre-queue joins answered%n", saleId, start,
        log.joinsAnswered(), prequeue);
  }

  private boolean startedFor(Duration duration) {
    Instant start = saleStart;
    return start != null && !Instant.now().isBefore(start.plus(duration));
  }

  @Override
  public void after() {
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("prequeue", prequeue);
    figures.put("after", after);
    figures.put("prequeueSeconds", prequeueSeconds);
    figures.put("admissionRate", admissionRate);
    figures.put("difficulty", difficulty);
    figures.putAll(roomAudit.figures());
    RushSummary.write("WaitingRoomRush", "target/waiting-room-rush-summary.json", ledger, purchases, saleId, saleStart,
        prequeue + after, stock, rate, 0, figures);
  }
}
