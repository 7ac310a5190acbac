package flashsale;

import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

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
 * Shoppers rather than a crowd: {@code -Dbuyers} arrive at {@code -Drate} per second, list the live sales,
 * open one, watch its live stream for a moment ({@code -DsseSeconds}), buy, pay / cancel / leave, and look at
 * their orders. The sales ({@code -Dsales} of {@code -Dstock} units) are created in {@code before()}.
 */
public class BrowseAndBuy extends Simulation {

  private final int buyers = Params.integer("buyers", 2_000);
  private final double rate = Params.number("rate", 100);
  private final int stock = Params.integer("stock", 500);
  private final int sales = Params.integer("sales", 2);
  private final int holdSeconds = Params.integer("holdSeconds", 300);

  private final Ledger ledger = new Ledger();
  private final AdminApi admin = AdminApi.forFirstBaseUrl();
  private final Buyer buyer = new Buyer(ledger, new PurchaseStats());

  private final ScenarioBuilder shoppers = scenario("shoppers").exec(buyer.visitBrowsingFirst());

  {
    setUp(Audit.after(shoppers.injectOpen(
            rampUsers(buyers).during(FlashSaleRush.wholeSeconds(buyers / rate))), ledger, admin))
        .protocols(Calls.protocol())
        .assertions(Audit.assertions());
  }

  @Override
  public void before() {
    admin.login();
    String productId = admin.createProduct("Browse unit", "35.00");
    ledger.productId(productId);
    Instant start = Instant.now().plusSeconds(2);
    for (int i = 0; i < sales; i++) {
      ledger.touch(admin.createSale(productId, stock, start, start.plus(Duration.ofHours(2)), holdSeconds));
    }
    System.out.printf("BROWSE %d sales of %d units; %d shoppers at %.0f/s via %s%n", sales, stock, buyers, rate,
        Params.baseUrls());
    AdminApi.sleepUntil(start);
  }
}
