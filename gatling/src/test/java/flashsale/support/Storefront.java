package flashsale.support;

import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;

import io.gatling.javaapi.core.ChainBuilder;
import java.time.Duration;

/**
 * The storefront's reads before a purchase: the live sales list, one sale's page, and its live stream
 * ({@code GET /api/sales/{id}/events}), held open for {@code -DsseSeconds} after the first {@code sale} event.
 */
public final class Storefront {

  private static final double SSE_SECONDS = Params.number("sseSeconds", 2);

  private Storefront() {}

  /** Lists live sales, opens one of the run's sales and watches its events; leaves {@code saleId} set. */
  public static ChainBuilder browse(Ledger ledger) {
    return Calls.untilAnswered(http("list live sales").get("/api/sales?status=live").asJson(), Buyer.READ_OUTCOMES)
        .exec(session -> session.set("saleId", ledger.randomSale()))
        .exec(Calls.untilAnswered(http("sale").get("/api/sales/#{saleId}").asJson(), Buyer.READ_OUTCOMES))
        .exec(sse("sale events").get("/api/sales/#{saleId}/events")
            // the current state comes at once on connect; the check is set with the connect so it is not missed
            .await(Duration.ofSeconds(5)).on(sse.checkMessage("sale state").check(regex("available"))))
        .pause(Duration.ofMillis(Math.round(SSE_SECONDS * 1000)))
        .exec(sse("close sale events").close());
  }
}
