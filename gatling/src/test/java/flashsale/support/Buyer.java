package flashsale.support;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A buyer's steps, shared by all simulations: sign in (a minted token for a fresh synthetic user), buy one
 * unit once (one Idempotency-Key per buyer, so a retry after a lost answer is safe; {@code -DidempotencyKey=false}
 * sends none), then pay, pay with a
 * declined card, cancel, or walk away, in the proportions of {@code -DpayRatio}, {@code -DdeclineRatio} and
 * {@code -DcancelRatio}.
 */
public final class Buyer {

  public static final List<Integer> PURCHASE_OUTCOMES = List.of(200, 201, 409, 410, 429, 503);
  public static final List<Integer> PAY_OUTCOMES = List.of(200, 402, 409, 410, 429, 503);
  public static final List<Integer> CANCEL_OUTCOMES = List.of(200, 409, 410, 429, 503);
  public static final List<Integer> READ_OUTCOMES = List.of(200, 429, 503);

  /** Session key of the admission pass {@link #purchaseWithPass} shows. */
  public static final String ADMISSION_PASS = "admissionPass";

  private static final String GOOD_CARD = "tok_visa";
  private static final String DECLINED_CARD = "decline_insufficient_funds";

  private enum Action { PAY, PAY_DECLINED, CANCEL, LEAVE }

  private final Ledger ledger;
  private final PurchaseStats stats;
  private final double payRatio = Params.ratio("payRatio", 0.8);
  private final double cancelRatio = Params.ratio("cancelRatio", 0.1);
  private final double declineRatio = Params.ratio("declineRatio", 0.1);
  private final double retryAfterDecline = Params.ratio("retryAfterDecline", 0.5);
  private final double thinkSeconds = Params.number("think", 1.0);
  /** Off only to measure the service's edge rejection, which a purchase carrying a key bypasses (it may be a retry). */
  private final boolean idempotencyKey = Boolean.parseBoolean(Params.string("idempotencyKey", "true"));

  public Buyer(Ledger ledger, PurchaseStats stats) {
    if (payRatio + cancelRatio > 1) {
      throw new IllegalArgumentException("-DpayRatio + -DcancelRatio must not exceed 1");
    }
    this.ledger = ledger;
    this.stats = stats;
  }

  /**
   * A buyer's whole visit: sign in, buy once from the sale {@code saleOf} names, then pay, cancel or walk
   * away; counted in the ledger while it lasts (the audit waits for it).
   */
  public ChainBuilder visit(Function<Session, String> saleOf) {
    return exec(ledger.enter())
        .exec(signIn())
        .exec(purchase(saleOf))
        .exec(checkout())
        .exec(ledger.leave());
  }

  /**
   * A shopper's whole visit: sign in, browse the live sales (with a sale's live stream), buy from the sale
   * they looked at, pay or not, then look at their orders.
   */
  public ChainBuilder visitBrowsingFirst() {
    return exec(ledger.enter())
        .exec(signIn())
        .exec(Storefront.browse(ledger))
        .exec(purchase(session -> session.getString("saleId")))
        .exec(checkout())
        .exec(myOrders())
        .exec(ledger.leave());
  }

  /** A new synthetic customer: id, token and the Idempotency-Key of its one purchase. */
  public ChainBuilder signIn() {
    return exec(session -> {
      String userId = UUID.randomUUID().toString();
      return session.set("buyerId", userId).set("token", Tokens.customer(userId))
          .set("idempotencyKey", UUID.randomUUID().toString());
    });
  }

  /** Tries to buy one unit of the sale {@code saleOf} names; leaves {@code orderId} in the session on success. */
  public ChainBuilder purchase(Function<Session, String> saleOf) {
    return purchase(saleOf, purchaseRequest());
  }

  /**
   * {@link #purchase}, from a sale with a waiting room: the request shows the admission pass the room gave the
   * buyer (session key {@value #ADMISSION_PASS}) in the {@code Admission-Pass} header.
   */
  public ChainBuilder purchaseWithPass(Function<Session, String> saleOf) {
    return purchase(saleOf, purchaseRequest().header("Admission-Pass", "#{" + ADMISSION_PASS + "}"));
  }

  private ChainBuilder purchase(Function<Session, String> saleOf, HttpRequestActionBuilder request) {
    return exec(session -> session.set("saleId", saleOf.apply(session)).remove("orderId"))
        .exec(Calls.untilAnswered(
            request,
            PURCHASE_OUTCOMES,
            (session, answer) -> {
              stats.attempt(answer);
              if (answer.isOrder()) {
                ledger.acknowledged(session.getString("saleId"), answer);
              }
              return session;
            }))
        .exec(session -> {
          Answer last = Calls.last(session);
          stats.finalAnswer(last);
          return last.isOrder() ? session.set("orderId", last.id()) : session;
        });
  }

  private HttpRequestActionBuilder purchaseRequest() {
    HttpRequestActionBuilder request = http("purchase").post("/api/sales/#{saleId}/purchase")
        .header("Authorization", "Bearer #{token}")
        .body(StringBody("{\"quantity\":1}")).asJson();
    return idempotencyKey ? request.header("Idempotency-Key", "#{idempotencyKey}") : request;
  }

  /** What the buyer does with a hold: pay, pay with a declined card (then maybe a good one), cancel, or nothing. */
  public ChainBuilder checkout() {
    return doIf(session -> session.contains("orderId")).then(
        think()
            .exec(session -> session.set("action", draw()))
            .doIf(session -> session.get("action") == Action.PAY).then(pay(GOOD_CARD, "pay"))
            .doIf(session -> session.get("action") == Action.PAY_DECLINED).then(
                pay(DECLINED_CARD, "pay (declined card)")
                    .doIf(session -> Calls.last(session).status() == 402
                        && ThreadLocalRandom.current().nextDouble() < retryAfterDecline).then(
                        think().exec(pay(GOOD_CARD, "pay (after decline)"))))
            .doIf(session -> session.get("action") == Action.CANCEL).then(
                Calls.untilAnswered(http("cancel order").delete("/api/orders/#{orderId}")
                    .header("Authorization", "Bearer #{token}").asJson(), CANCEL_OUTCOMES)));
  }

  /** The buyer's own orders list. */
  public static ChainBuilder myOrders() {
    return Calls.untilAnswered(http("my orders").get("/api/orders")
        .header("Authorization", "Bearer #{token}").asJson(), READ_OUTCOMES);
  }

  /** A pause of about {@code -Dthink} seconds (uniform between half and one and a half times it). */
  public ChainBuilder think() {
    long meanMs = Math.round(thinkSeconds * 1000);
    return pause(Duration.ofMillis(meanMs / 2), Duration.ofMillis(meanMs * 3 / 2 + 1));
  }

  private ChainBuilder pay(String paymentToken, String name) {
    return Calls.untilAnswered(http(name).post("/api/orders/#{orderId}/pay")
        .header("Authorization", "Bearer #{token}")
        .body(StringBody("{\"paymentToken\":\"" + paymentToken + "\"}")).asJson(), PAY_OUTCOMES);
  }

  private Action draw() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    double roll = random.nextDouble();
    if (roll < cancelRatio) {
      return Action.CANCEL;
    }
    if (roll < cancelRatio + payRatio) {
      return random.nextDouble() < declineRatio ? Action.PAY_DECLINED : Action.PAY;
    }
    return Action.LEAVE;
  }
}
