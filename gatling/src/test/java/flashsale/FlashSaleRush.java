package flashsale;

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
 */
public class FlashSaleRush extends Simulation {

  private final int buyers = Params.integer("buyers", 20_000);
  private final double rate = Params.number("rate", 2_000);
  private final int rampSeconds = Params.integer("rampSeconds", 2);
  private final int stock = Params.integer("stock", 1_000);
  private final int leadSeconds = Params.integer("leadSeconds", 5);
  private final int holdSeconds = Params.integer("holdSeconds", 300);

  private final Ledger ledger = new Ledger();
  private final PurchaseStats stats = new PurchaseStats();
  private final AdminApi admin = AdminApi.forFirstBaseUrl();
  private final Buyer buyer = new Buyer(ledger, stats);
  private volatile String saleId;
  private volatile Instant saleStart;

  private final ScenarioBuilder rush = scenario("buyers").exec(buyer.visit(session -> saleId));

  {
    setUp(Audit.after(rush.injectOpen(arrivals()), ledger, admin))
        .protocols(Calls.protocol())
        .assertions(Audit.assertions());
  }

  /**
   * Up to {@code rate}/s over {@code rampSeconds}, then {@code rate}/s until all {@code buyers} have arrived
   * ({@code rampUsers} spaces a given count evenly, so the total is exact).
   */
  private List<OpenInjectionStep> arrivals() {
    List<OpenInjectionStep> steps = new ArrayList<>();
    long inRamp = rampSeconds > 0 ? (long) Math.floor(rampSeconds * (1 + rate) / 2) : 0;
    if (inRamp >= buyers) {
      steps.add(rampUsers(buyers).during(Duration.ofSeconds(rampSeconds)));
      return steps;
    }
    if (inRamp > 0) {
      steps.add(rampUsersPerSec(1).to(rate).during(Duration.ofSeconds(rampSeconds)));
    }
    long rest = buyers - inRamp;
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

  /** The admin creates the product and the sale, opening {@code leadSeconds} from now; buyers arrive when it opens. */
  @Override
  public void before() {
    admin.login();
    String productId = admin.createProduct("Rush unit", "20.00");
    ledger.productId(productId);
    saleStart = Instant.now().plusSeconds(leadSeconds).truncatedTo(ChronoUnit.SECONDS);
    saleId = admin.createSale(productId, stock, saleStart, saleStart.plus(Duration.ofHours(2)), holdSeconds);
    ledger.touch(saleId);
    System.out.printf("RUSH sale %s: %d units, opens %s; %d buyers at up to %.0f/s (ramp %d s) via %s%n", saleId,
        stock, saleStart, buyers, rate, rampSeconds, Params.baseUrls());
    AdminApi.sleepUntil(saleStart);
  }

  @Override
  public void after() {
    RushSummary.write(ledger, stats, saleId, saleStart, buyers, stock, rate, rampSeconds);
  }
}
