package flashsale;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import flashsale.support.AdminApi;
import flashsale.support.Audit;
import flashsale.support.Buyer;
import flashsale.support.Calls;
import flashsale.support.Ledger;
import flashsale.support.Params;
import flashsale.support.PurchaseStats;
import flashsale.support.RushSummary;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The flash crowd: one sale of {@code -Dstock} units opens, and {@code -Dbuyers} buyers arrive at up to
 * {@code -Drate} per second (ramping up over {@code -DrampSeconds}), each trying to buy once, retrying on
 * 429/503 after Retry-After, then paying, paying with a declined card, cancelling or leaving the hold to
 * expire. Ends with the {@link Audit} and writes {@code target/flashsale-rush-summary.json} (see README.md).
 *
 * <p>With {@code -DwarmupBuyers=W}, W buyers first rush a sale of W/3 units at the same rate, in this JVM; once
 * every one of them is done, the measured sale is scheduled {@code leadSeconds} ahead and its buyers arrive when
 * it opens. A benchmark needs that: the measured sale sells out in its first seconds, and a cold client (a new
 * JVM compiling Gatling and Netty under a burst of new connections) answered the first buyers of a warm node
 * 0.4 s (1,000 arrivals/s) to 1.8 s (4,000/s) late. The warm-up's requests are in Gatling's group
 * {@value #WARM_UP}; the summary counts only the measured sale, the audit checks both.
 */
public class FlashSaleRush extends Simulation {

  static final String WARM_UP = "warm-up";
  /** How long before the first buyer's arrival the measured sale opens after a warm-up. */
  private static final Duration OPENING_MARGIN = Duration.ofMillis(20);

  private final int buyers = Params.integer("buyers", 20_000);
  private final double rate = Params.number("rate", 2_000);
  private final int rampSeconds = Params.integer("rampSeconds", 2);
  private final int stock = Params.integer("stock", 1_000);
  private final int leadSeconds = Params.integer("leadSeconds", 5);
  private final int holdSeconds = Params.integer("holdSeconds", 300);
  private final int warmupBuyers = Params.integer("warmupBuyers", 0);

  private final Ledger ledger = new Ledger();
  private final PurchaseStats stats = new PurchaseStats();
  private final AdminApi admin = AdminApi.forFirstBaseUrl();
  private final Buyer buyer = new Buyer(ledger, stats);
  private volatile String productId;
  private volatile String saleId;
  private volatile String warmupSaleId;
  private volatile Instant saleStart;

  private final ScenarioBuilder rush = scenario("buyers").exec(buyer.visit(session -> saleId));

  {
    PopulationBuilder measured;
    if (warmupBuyers > 0) {
      // Its own statistics: a warm-up buyer must not count in the measured sale's figures.
      Buyer warmupBuyer = new Buyer(ledger, new PurchaseStats());
      ScenarioBuilder warmup = scenario(WARM_UP).group(WARM_UP).on(warmupBuyer.visit(session -> warmupSaleId));
      // The opener and the buyers start together once the warm-up is done (Gatling starts a following
      // population on its next one-second tick, so the opener cannot simply go first): the sale opens
      // leadSeconds from then, a moment before the first buyer arrives, never after.
      ScenarioBuilder opener = scenario("open the measured sale").exec(session -> {
        scheduleSale(Instant.now().plusSeconds(leadSeconds).minus(OPENING_MARGIN).truncatedTo(ChronoUnit.MILLIS));
        return session;
      });
      List<OpenInjectionStep> arrivals = new ArrayList<>(List.of(nothingFor(Duration.ofSeconds(leadSeconds))));
      arrivals.addAll(arrivals(buyers, rampSeconds));
      measured = warmup.injectOpen(arrivals(warmupBuyers, 0)).andThen(
          opener.injectOpen(atOnceUsers(1)), Audit.after(rush.injectOpen(arrivals), ledger, admin));
    } else {
      measured = Audit.after(rush.injectOpen(arrivals(buyers, rampSeconds)), ledger, admin);
    }
    setUp(measured).protocols(Calls.protocol()).assertions(Audit.assertions());
  }

  /**
   * Up to {@code rate}/s over {@code rampSeconds}, then {@code rate}/s until all {@code count} buyers have arrived
   * ({@code rampUsers} spaces a given count evenly, so the total is exact).
   */
  private List<OpenInjectionStep> arrivals(int count, int rampSeconds) {
    List<OpenInjectionStep> steps = new ArrayList<>();
    long inRamp = rampSeconds > 0 ? (long) Math.floor(rampSeconds * (1 + rate) / 2) : 0;
    if (inRamp >= count) {
      steps.add(rampUsers(count).during(Duration.ofSeconds(rampSeconds)));
      return steps;
    }
    if (inRamp > 0) {
      steps.add(rampUsersPerSec(1).to(rate).during(Duration.ofSeconds(rampSeconds)));
    }
    long rest = count - inRamp;
    steps.add(rampUsers((int) rest).during(wholeSeconds(rest / rate)));
    return steps;
  }

  /**
   * Gatling 3.15 injects nothing for a step shorter than a second (its users stay "waiting" for ever), so steps
   * last whole seconds, at least one.
   */
  static Duration wholeSeconds(double seconds) {
    return Duration.ofSeconds(Math.max(1, (long) Math.ceil(seconds)));
  }

  /**
   * The admin creates the product, and the sale opening {@code leadSeconds} from now, when the buyers' arrivals
   * start; or, with a warm-up, the warm-up's sale, open at once (the measured one comes after the warm-up).
   */
  @Override
  public void before() {
    admin.login();
    productId = admin.createProduct("Rush unit", "20.00");
    ledger.productId(productId);
    if (warmupBuyers > 0) {
      int warmupStock = Math.max(1, warmupBuyers / 3);
      warmupSaleId = admin.createSale(productId, warmupStock, Instant.now().minusSeconds(1),
          Instant.now().plus(Duration.ofHours(2)), holdSeconds);
      ledger.touch(warmupSaleId);
      System.out.printf("RUSH warm-up sale %s: %d units, open now; %d buyers at up to %.0f/s%n", warmupSaleId,
          warmupStock, warmupBuyers, rate);
    } else {
      scheduleSale(Instant.now().plusSeconds(leadSeconds).truncatedTo(ChronoUnit.SECONDS));
      AdminApi.sleepUntil(saleStart);
    }
  }

  private void scheduleSale(Instant start) {
    saleId = admin.createSale(productId, stock, start, start.plus(Duration.ofHours(2)), holdSeconds);
    saleStart = start;
    ledger.touch(saleId);
    System.out.printf("RUSH sale %s: %d units, opens %s; %d buyers at up to %.0f/s (ramp %d s) via %s%n", saleId,
        stock, start, buyers, rate, rampSeconds, Params.baseUrls());
  }

  @Override
  public void after() {
    RushSummary.write(ledger, stats, saleId, saleStart, buyers, stock, rate, rampSeconds);
  }
}
