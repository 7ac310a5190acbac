package flashsale;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import flashsale.support.Admin;
import flashsale.support.AdminApi;
import flashsale.support.Audit;
import flashsale.support.Buyer;
import flashsale.support.Calls;
import flashsale.support.Ledger;
import flashsale.support.Params;
import flashsale.support.PurchaseStats;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.time.Instant;

/**
 * Admins at work while buyers buy: for {@code -Dduration} seconds, {@code -Dadmins} admins keep scheduling sales
 * a few seconds ahead, moving their start and end before they open, adding stock and cancelling some, while
 * buyers arrive at {@code -Drate} per second and each buys once from any of the run's sales (some not open
 * yet, some cancelled). The audit then checks every sale, the admins' included.
 */
public class AdminScheduling extends Simulation {

  private final int durationSeconds = Params.integer("duration", 60);
  private final double rate = Params.number("rate", 20);
  private final int admins = Params.integer("admins", 3);
  private final int sales = Params.integer("sales", 2);
  private final int stock = Params.integer("stock", 200);
  private final int holdSeconds = Params.integer("holdSeconds", 300);

  private final Ledger ledger = new Ledger();
  private final AdminApi api = AdminApi.forFirstBaseUrl();
  private final Admin admin = new Admin(ledger, api);
  private final Buyer buyer = new Buyer(ledger, new PurchaseStats());

  private final ScenarioBuilder scheduling = scenario("admins")
      .exec(ledger.enter())
      .exec(admin.signIn())
      .during(Duration.ofSeconds(durationSeconds)).on(admin.cycle())
      .exec(ledger.leave());

  private final ScenarioBuilder buying = scenario("buyers").exec(buyer.visit(session -> ledger.randomSale()));

  {
    setUp(
        scheduling.injectOpen(atOnceUsers(admins)),
        Audit.after(buying.injectOpen(constantUsersPerSec(rate).during(Duration.ofSeconds(durationSeconds))),
            ledger, api))
        .protocols(Calls.protocol())
        .assertions(Audit.assertions());
  }

  @Override
  public void before() {
    api.login();
    String productId = api.createProduct("Scheduled unit", "12.50");
    ledger.productId(productId);
    Instant start = Instant.now().plusSeconds(2);
    for (int i = 0; i < sales; i++) {
      ledger.touch(api.createSale(productId, stock, start, start.plus(Duration.ofHours(2)), holdSeconds));
    }
    System.out.printf("SCHEDULING %d admins and %.0f buyers/s for %d s via %s%n", admins, rate, durationSeconds,
        Params.baseUrls());
    AdminApi.sleepUntil(start);
  }
}
