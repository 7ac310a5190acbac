package com.flashsale.sale;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md rule 4 through HTTP: the node's live view follows every sale, answers {@code GET
 * /api/sales/{id}}, and rejects purchases it may reject without asking the entity.
 *
 * <p>To prove that an answer did not come from the entity, a test stalls the entity: it locks the journal
 * table and sends a command that writes, so the entity waits for that write and answers nothing else
 * until the lock is released. Any ask that reached it would then time out as 503 OVERLOADED
 * (ask-timeout is 2 s here).
 */
class LiveViewTest {

  static FlashSaleFixture app;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("live-view", Map.of(
        "flashsale.ask-timeout", "2s",
        "flashsale.live-view.refresh-interval", "500ms",
        "flashsale.live-view.wake-interval", "200ms"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  // ---- arranging ----

  private static Instant now() {
    return app.now().truncatedTo(ChronoUnit.SECONDS);
  }

  private static Response purchase(String saleId, String buyer) {
    return app.api.post("/api/sales/" + saleId + "/purchase", buyer, null);
  }

  private static String reservedOrderId(String saleId, String buyer) {
    Response response = purchase(saleId, buyer);
    assertThat(response.status()).as("purchase %s", response).isEqualTo(201);
    return response.json().get("id").asText();
  }

  private static Response patch(String saleId, Map<String, Object> change) {
    return app.api.patch("/api/admin/sales/" + saleId, app.adminToken(), change);
  }

  /** A live sale of one unit, bought and paid: sold out with no hold that could come back. */
  private static String soldOutSaleWithoutHolds() {
    String saleId = app.createSaleId(Map.of("stock", 1));
    String buyer = app.newBuyerToken();
    String orderId = reservedOrderId(saleId, buyer);
    Response paid = app.api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok_visa"));
    assertThat(paid.status()).as("pay %s", paid).isEqualTo(200);
    return saleId;
  }

  private static SaleView served(String saleId) {
    return app.node.liveSales().latest(UUID.fromString(saleId)).map(SaleUpdate::sale).orElse(null);
  }

  /** Asks about the sale once (so the view follows it), then waits until the view serves it as wanted. */
  private static void awaitServed(String saleId, Predicate<SaleView> wanted) {
    app.api.get("/api/sales/" + saleId, null);
    eventually(Duration.ofSeconds(10), () -> assertThat(served(saleId)).as("served %s", saleId)
        .isNotNull().matches(wanted));
  }

  /**
   * Locks the journal, sends {@code write} (a request whose command makes the entity write) and waits
   * until that write is blocked: from then on the entity answers nothing until the stall is closed.
   */
  private static Stall stall(Supplier<CompletableFuture<Response>> write) {
    return new Stall(write);
  }

  private static final class Stall implements AutoCloseable {

    private final Connection lock;
    private final CompletableFuture<Response> write;

    Stall(Supplier<CompletableFuture<Response>> write) {
      try {
        lock = DriverManager.getConnection(app.node.system().settings().config().getString("flashsale.db.url"),
            TestDatabase.user(), TestDatabase.password());
        lock.setAutoCommit(false);
        try (Statement st = lock.createStatement()) {
          st.execute("LOCK TABLE event_journal IN SHARE MODE");
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      this.write = write.get();
      eventually(Duration.ofSeconds(5), () -> assertThat(blockedJournalWrites()).as("blocked journal writes")
          .isPositive());
    }

    private int blockedJournalWrites() {
      try (Statement st = lock.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT count(*) FROM pg_locks l JOIN pg_class c ON l.relation = c.oid "
              + "WHERE c.relname = 'event_journal' AND NOT l.granted")) {
        rs.next();
        return rs.getInt(1);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      try {
        lock.rollback();
        lock.close();
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      write.join();
    }
  }

  private static CompletableFuture<Response> moveEndAsync(String saleId, Instant endsAt) {
    return app.api.sendAsync("PATCH", "/api/admin/sales/" + saleId, app.adminToken(), "application/json",
        ("{\"endsAt\":\"" + endsAt + "\"}").getBytes(), Map.of());
  }

  private static void assertProblem(Response response, int status, String code) {
    assertThat(response.status()).as("status of %s", response).isEqualTo(status);
    assertThat(response.code()).as("code of %s", response).isEqualTo(code);
    assertThat(response.contentType()).startsWith("application/problem+json");
  }

  // ---- edge rejection ----

  @Test
  void rejectsPurchasesOfASoldOutSaleWithoutHoldsWithoutAskingTheEntity() {
    String saleId = soldOutSaleWithoutHolds();
    awaitServed(saleId, sale -> sale.available() == 0 && sale.reserved() == 0);

    try (Stall stalled = stall(() -> moveEndAsync(saleId, now().plus(Duration.ofDays(2))))) {
      Response response = purchase(saleId, app.newBuyerToken());

      assertProblem(response, 409, "SOLD_OUT");
    }
  }

  @Test
  void asksTheEntityWhileAHoldCouldStillComeBack() {
    String saleId = app.createSaleId(Map.of("stock", 1));
    reservedOrderId(saleId, app.newBuyerToken());
    awaitServed(saleId, sale -> sale.available() == 0 && sale.reserved() == 1);

    try (Stall stalled = stall(() -> moveEndAsync(saleId, now().plus(Duration.ofDays(2))))) {
      Response response = purchase(saleId, app.newBuyerToken());

      assertProblem(response, 503, "OVERLOADED"); // it went to the (stalled) entity
    }
  }

  @Test
  void rejectsPurchasesBeforeTheStartWithoutAskingTheEntityAndSaysWhenItStarts() {
    Instant startsAt = now().plus(Duration.ofHours(1));
    String saleId = app.createSaleId(Map.of("startsAt", startsAt.toString(),
        "endsAt", now().plus(Duration.ofHours(2)).toString()));
    awaitServed(saleId, sale -> sale.startsAt().equals(startsAt));

    try (Stall stalled = stall(() -> moveEndAsync(saleId, now().plus(Duration.ofHours(3))))) {
      Response response = purchase(saleId, app.newBuyerToken());

      assertProblem(response, 409, "NOT_STARTED");
      assertThat(response.json().get("detail").asText()).contains(startsAt.toString());
    }
  }

  @Test
  void aRetryWithAnIdempotencyKeyAfterSellOutGetsItsOrderFromTheEntity() {
    String saleId = app.createSaleId(Map.of("stock", 1));
    String buyer = app.newBuyerToken();
    Map<String, String> key = Map.of("Idempotency-Key", "retry-1");
    Response bought = app.api.send("POST", "/api/sales/" + saleId + "/purchase", buyer, null, null, key);
    String orderId = bought.json().get("id").asText();
    assertThat(app.api.post("/api/orders/" + orderId + "/pay", buyer, Map.of("paymentToken", "tok")).status())
        .isEqualTo(200);
    awaitServed(saleId, sale -> sale.available() == 0 && sale.reserved() == 0);
    assertProblem(purchase(saleId, app.newBuyerToken()), 409, "SOLD_OUT");

    Response retry = app.api.send("POST", "/api/sales/" + saleId + "/purchase", buyer, null, null, key);

    assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
    assertThat(retry.json().get("id").asText()).isEqualTo(orderId);
  }

  @Test
  void rejectsPurchasesAfterTheEndWithoutAskingTheEntity() {
    String saleId = app.createSaleId(Map.of("endsAt", now().plus(Duration.ofMinutes(1)).toString(),
        "holdSeconds", 600));
    String holder = app.newBuyerToken();
    String held = reservedOrderId(saleId, holder);
    awaitServed(saleId, sale -> sale.reserved() == 1);
    app.clock.advance(Duration.ofMinutes(1).plusSeconds(1));

    // cancelling the hold (still open after the end) is a write
    try (Stall stalled = stall(() -> app.api.sendAsync("DELETE", "/api/orders/" + held, holder, null, null,
        Map.of()))) {
      Response response = purchase(saleId, app.newBuyerToken());

      assertProblem(response, 410, "SALE_ENDED");
    }
  }

  @Test
  void rejectsPurchasesOfACancelledSaleFromTheView() {
    String saleId = app.createSaleId(Map.of());
    awaitServed(saleId, sale -> sale.status() == SaleStatus.LIVE);
    app.api.post("/api/admin/sales/" + saleId + "/cancel", app.adminToken(), null);
    eventually(Duration.ofSeconds(5), () -> assertThat(served(saleId).status()).isEqualTo(SaleStatus.CANCELLED));

    Response response = purchase(saleId, app.newBuyerToken());

    assertProblem(response, 410, "SALE_CANCELLED");
  }

  // ---- following admin changes ----

  @Test
  void followsAnAdminMovingTheStartEarlier() {
    String saleId = app.createSaleId(Map.of("startsAt", now().plus(Duration.ofHours(1)).toString(),
        "endsAt", now().plus(Duration.ofHours(2)).toString()));
    awaitServed(saleId, sale -> sale.status() == SaleStatus.UPCOMING);
    Instant newStart = now().plus(Duration.ofMinutes(1));

    assertThat(patch(saleId, Map.of("startsAt", newStart.toString())).status()).isEqualTo(200);
    eventually(Duration.ofSeconds(5), () -> assertThat(served(saleId).startsAt()).isEqualTo(newStart));
    app.clock.advance(Duration.ofMinutes(2));

    assertThat(purchase(saleId, app.newBuyerToken()).status()).isEqualTo(201);
  }

  @Test
  void followsAnAdminExtendingTheEnd() {
    String saleId = app.createSaleId(Map.of("endsAt", now().plus(Duration.ofMinutes(1)).toString()));
    awaitServed(saleId, sale -> sale.status() == SaleStatus.LIVE);
    Instant newEnd = now().plus(Duration.ofHours(1));

    assertThat(patch(saleId, Map.of("endsAt", newEnd.toString())).status()).isEqualTo(200);
    eventually(Duration.ofSeconds(5), () -> assertThat(served(saleId).endsAt()).isEqualTo(newEnd));
    app.clock.advance(Duration.ofMinutes(2));

    assertThat(purchase(saleId, app.newBuyerToken()).status()).isEqualTo(201);
  }

  @Test
  void followsAddedStockSoASoldOutSaleSellsAgain() {
    String saleId = soldOutSaleWithoutHolds();
    awaitServed(saleId, sale -> sale.available() == 0);
    assertProblem(purchase(saleId, app.newBuyerToken()), 409, "SOLD_OUT");

    assertThat(patch(saleId, Map.of("addStock", 1)).status()).isEqualTo(200);
    eventually(Duration.ofSeconds(5), () -> assertThat(served(saleId).available()).isEqualTo(1));

    assertThat(purchase(saleId, app.newBuyerToken()).status()).isEqualTo(201);
  }

  // ---- reading ----

  @Test
  void getsASaleFromTheViewWithItsStatusAsOfTheNodesClock() {
    String saleId = app.createSaleId(Map.of("stock", 3, "endsAt", now().plus(Duration.ofMinutes(1)).toString()));
    reservedOrderId(saleId, app.newBuyerToken());
    awaitServed(saleId, sale -> sale.available() == 2);

    try (Stall stalled = stall(() -> moveEndAsync(saleId, now().plus(Duration.ofDays(1))))) {
      app.clock.advance(Duration.ofMinutes(1).plusSeconds(1));

      Response response = app.api.get("/api/sales/" + saleId, null);

      assertThat(response.status()).as("%s", response).isEqualTo(200);
      assertThat(response.json().get("available").asInt()).isEqualTo(2);
      assertThat(response.json().get("status").asText()).isEqualTo("ENDED");
      assertThat(response.json().get("product").get("name").asText()).isEqualTo("Sneakers");
    }
  }

  @Test
  void followsEveryActiveSaleOfTheReadModelWithoutBeingAsked() {
    String saleId = app.createSaleId(Map.of("stock", 4));

    eventually(Duration.ofSeconds(10), () -> assertThat(served(saleId)).isNotNull()
        .extracting(SaleView::available).isEqualTo(4));
  }

  @Test
  void answersNotFoundForAnUnknownSaleAndDoesNotFollowIt() {
    UUID unknown = UUID.randomUUID();

    Response read = app.api.get("/api/sales/" + unknown, null);
    Response bought = purchase(unknown.toString(), app.newBuyerToken());

    assertProblem(read, 404, "NOT_FOUND");
    assertProblem(bought, 404, "NOT_FOUND");
    assertThat(app.node.liveSales().latest(unknown)).isEmpty();
  }
}
