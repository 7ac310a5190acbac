package flashsale;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import flashsale.support.Admin;
import flashsale.support.AdminApi;
import flashsale.support.Audit;
import flashsale.support.Buyer;
import flashsale.support.Calls;
import flashsale.support.Ledger;
import flashsale.support.Params;
import flashsale.support.PurchaseStats;
import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Long, moderate, mixed load for {@code -Dduration} seconds: buyers ({@code -Drate}/s) buying from the run's
 * sales, shoppers ({@code -DbrowseRate}/s) browsing with the live stream before buying, and {@code -Dadmins}
 * admins scheduling sales. Fails the run on any failed request (expected outcomes such as 409, 410, 429 and
 * 503 are not failures; any other 5xx is), on a p99 above {@code -Dp99Ms}, on latency drift (the purchases'
 * p95 in the last third of the run above {@code -DdriftFactor} times, and {@code -DdriftSlackMs} more than,
 * their p95 in the first third), and on the audit.
 */
public class Soak extends Simulation {

  private final int durationSeconds = Params.integer("duration", 300);
  private final double rate = Params.number("rate", 20);
  private final double browseRate = Params.number("browseRate", 5);
  private final int admins = Params.integer("admins", 1);
  private final int sales = Params.integer("sales", 3);
  private final int stock = Params.integer("stock", 20_000);
  private final int p99Ms = Params.integer("p99Ms", 1_000);
  private final int holdSeconds = Params.integer("holdSeconds", 300);
  private final double driftFactor = Params.number("driftFactor", 2.0);
  private final int driftSlackMs = Params.integer("driftSlackMs", 50);
  private static final String DRIFT = "latency drift";

  private final Ledger ledger = new Ledger();
  private final AdminApi api = AdminApi.forFirstBaseUrl();
  private final Admin admin = new Admin(ledger, api);
  private final PurchaseStats purchases = new PurchaseStats();
  private final Buyer buyer = new Buyer(ledger, purchases);

  /** Once the buyers are done: one request whose check carries the drift verdict (a violation fails it). */
  private final ScenarioBuilder drift = scenario(DRIFT)
      .exec(http(DRIFT).get("/health/alive").check(status().is(200),
          bodyString().transform(body -> purchases.driftVerdict(driftFactor, driftSlackMs)).is("ok")));

  private final ScenarioBuilder buying = scenario("buyers").exec(buyer.visit(session -> ledger.randomSale()));

  private final ScenarioBuilder browsing = scenario("shoppers").exec(buyer.visitBrowsingFirst());

  private final ScenarioBuilder scheduling = scenario("admins")
      .exec(ledger.enter())
      .exec(admin.signIn())
      .during(Duration.ofSeconds(durationSeconds)).on(admin.cycle().pause(Duration.ofSeconds(5)))
      .exec(ledger.leave());

  {
    Duration duration = Duration.ofSeconds(durationSeconds);
    List<Assertion> assertions = new ArrayList<>(Audit.assertions());
    assertions.add(global().failedRequests().count().is(0L));
    assertions.add(global().responseTime().percentile(99.0).lt(p99Ms));
    assertions.add(details("purchase").responseTime().percentile(99.0).lt(p99Ms));
    assertions.add(details(DRIFT).failedRequests().count().is(0L));
    assertions.add(details(DRIFT).allRequests().count().gt(0L));
    setUp(
        Audit.after(buying.injectOpen(constantUsersPerSec(rate).during(duration)), ledger, api)
            .andThen(drift.injectOpen(atOnceUsers(1))),
        browsing.injectOpen(constantUsersPerSec(browseRate).during(duration)),
        scheduling.injectOpen(atOnceUsers(admins)))
        .protocols(Calls.protocol())
        .assertions(assertions);
  }

  @Override
  public void before() {
    api.login();
    String productId = api.createProduct("Soak unit", "9.99");
    ledger.productId(productId);
    Instant start = Instant.now().plusSeconds(2);
    for (int i = 0; i < sales; i++) {
      ledger.touch(api.createSale(productId, stock, start, start.plus(Duration.ofHours(6)), holdSeconds));
    }
    System.out.printf("SOAK %d s: %.0f buyers/s, %.0f shoppers/s, %d admins; %d sales of %d units; p99 < %d ms; via %s%n",
        durationSeconds, rate, browseRate, admins, sales, stock, p99Ms, Params.baseUrls());
    AdminApi.sleepUntil(start);
  }
}
