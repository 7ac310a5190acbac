package flashsale.support;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * An admin at work during a sale rush (Gatling side; the setup in {@code before()} uses {@link AdminApi}):
 * schedules a sale a few seconds ahead, moves its start and end before it opens, adds stock, and sometimes
 * cancels it. Moving the start can race the sale's opening, so 409 INVALID_TRANSITION is an expected answer.
 */
public final class Admin {

  private static final List<Integer> CREATE_OUTCOMES = List.of(201, 429, 503);
  private static final List<Integer> CHANGE_OUTCOMES = List.of(200, 409, 410, 429, 503);

  private final Ledger ledger;
  private final AdminApi api;
  private final int stock = Params.integer("adminStock", 50);
  private final double cancelSaleRatio = Params.ratio("cancelSaleRatio", 0.3);
  private final int holdSeconds = Params.integer("holdSeconds", 300);

  public Admin(Ledger ledger, AdminApi api) {
    this.ledger = ledger;
    this.api = api;
  }

  /** The admin's token, from the login in {@code before()}. */
  public ChainBuilder signIn() {
    return exec(session -> session.set("token", api.token()).set("productId", ledger.productId()));
  }

  /** One scheduling cycle on a new sale: create, move, add stock, read its stats, maybe cancel. */
  public ChainBuilder cycle() {
    return exec(session -> {
          Instant startsAt = Instant.now().plusSeconds(ThreadLocalRandom.current().nextInt(4, 12));
          return session.set("adminStartsAt", startsAt).set("adminEndsAt", startsAt.plus(Duration.ofMinutes(30)));
        })
        .exec(Calls.untilAnswered(http("admin create sale").post("/api/admin/sales")
            .header("Authorization", "Bearer #{token}")
            .body(StringBody(this::newSale)).asJson(), CREATE_OUTCOMES))
        .doIf(session -> Calls.last(session).status() == 201).then(
            exec(session -> {
              String saleId = Calls.last(session).id();
              ledger.touch(saleId);
              return session.set("adminSaleId", saleId);
            })
                .pause(Duration.ofMillis(500), Duration.ofMillis(1500))
                .exec(change("admin move sale", session -> {
                  Instant later = session.<Instant>get("adminStartsAt").plusSeconds(3);
                  return Map.of("startsAt", later.toString(), "endsAt", later.plus(Duration.ofMinutes(45)).toString());
                }))
                .pause(Duration.ofMillis(500), Duration.ofMillis(1500))
                .exec(change("admin add stock", session -> Map.of("addStock", 1 + stock / 5)))
                .exec(Calls.untilAnswered(http("admin stats").get("/api/admin/sales/#{adminSaleId}/stats")
                    .header("Authorization", "Bearer #{token}").asJson(), List.of(200, 429, 503)))
                .pause(Duration.ofSeconds(1), Duration.ofSeconds(4))
                .doIf(session -> ThreadLocalRandom.current().nextDouble() < cancelSaleRatio).then(
                    Calls.untilAnswered(http("admin cancel sale").post("/api/admin/sales/#{adminSaleId}/cancel")
                        .header("Authorization", "Bearer #{token}").asJson(), CHANGE_OUTCOMES)));
  }

  private String newSale(Session session) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("productId", session.getString("productId"));
    body.put("stock", stock);
    body.put("startsAt", session.get("adminStartsAt").toString());
    body.put("endsAt", session.get("adminEndsAt").toString());
    body.put("perUserLimit", 1);
    body.put("holdSeconds", holdSeconds);
    return Json.write(body);
  }

  private ChainBuilder change(String name, Function<Session, Map<String, Object>> body) {
    return Calls.untilAnswered(http(name).patch("/api/admin/sales/#{adminSaleId}")
        .header("Authorization", "Bearer #{token}")
        .body(StringBody(session -> Json.write(body.apply(session)))).asJson(), CHANGE_OUTCOMES);
  }
}
