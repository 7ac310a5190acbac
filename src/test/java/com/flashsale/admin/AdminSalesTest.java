package com.flashsale.admin;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import com.flashsale.testing.FlashSaleFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code admin sales} against a real node, every answer checked against the API. The node's clock
 * stands still at the fixture's start, so sales timed from {@link FlashSaleFixture#now()} are exact.
 */
class AdminSalesTest {

  /** Lists come from the read model, which trails the entities by well under a second. */
  private static final Duration READ_MODEL = Duration.ofSeconds(5);

  static FlashSaleFixture app;

  @TempDir
  Path config;

  CliHarness cli;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("admin-sales");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @BeforeEach
  void logIn() {
    cli = new CliHarness(config);
    cli.admin("login", "--url", app.api.baseUrl(), "--email", FlashSaleFixture.ADMIN_EMAIL,
        "--password", FlashSaleFixture.ADMIN_PASSWORD).succeeded();
  }

  // ---- arranging and reading through the API ----

  private static Instant now() {
    return app.now().truncatedTo(ChronoUnit.SECONDS);
  }

  private static String productId() {
    return app.createProduct().get("id").asText();
  }

  private static String upcomingSale() {
    return app.createSaleId(Map.of("startsAt", now().plus(Duration.ofHours(1)).toString(),
        "endsAt", now().plus(Duration.ofHours(2)).toString()));
  }

  private static JsonNode apiSale(String id) {
    return app.api.get("/api/sales/" + id, null).json();
  }

  private static JsonNode apiStats(String id) {
    return app.api.get("/api/admin/sales/" + id + "/stats", app.adminToken()).json();
  }

  /** The value of a row of a name–value table. */
  private static String field(CliHarness.Result result, String name) {
    return result.out().lines().filter(line -> line.startsWith(name + "  ")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + result))
        .substring(name.length()).strip();
  }

  // ---- create / schedule ----

  @Test
  void createsASaleWithEveryTermAndTheApiHasIt() {
    String product = productId();
    Instant startsAt = now().plus(Duration.ofHours(1));
    Instant endsAt = now().plus(Duration.ofDays(1));

    CliHarness.Result result = cli.admin("sales", "create", "--product", product, "--stock", "25",
        "--starts-at", startsAt.toString(), "--ends-at", endsAt.toString(), "--price", "79.00",
        "--per-user-limit", "2", "--hold-seconds", "60", "--json").succeeded();

    JsonNode printed = result.json();
    assertThat(printed).isEqualTo(apiSale(printed.get("id").asText()));
    assertThat(printed.get("product").get("id").asText()).isEqualTo(product);
    assertThat(printed.get("stock").asInt()).isEqualTo(25);
    assertThat(printed.get("price").asText()).isEqualTo("79.00");
    assertThat(printed.get("perUserLimit").asInt()).isEqualTo(2);
    assertThat(printed.get("holdSeconds").asInt()).isEqualTo(60);
    assertThat(Instant.parse(printed.get("startsAt").asText())).isEqualTo(startsAt);
    assertThat(Instant.parse(printed.get("endsAt").asText())).isEqualTo(endsAt);
    assertThat(printed.get("status").asText()).isEqualTo("UPCOMING");
  }

  @Test
  void scheduleIsCreateAndShowsTheSaleAsATable() {
    CliHarness.Result result = cli.admin("sales", "schedule", "--product", productId(), "--stock", "10",
        "--starts-at", now().plus(Duration.ofHours(1)).toString(), "--ends-at", "+2d").succeeded();

    String id = field(result, "id");
    assertThat(field(result, "product")).isEqualTo("Sneakers (" + apiSale(id).get("product").get("id").asText() + ")");
    assertThat(field(result, "status")).isEqualTo("UPCOMING");
    assertThat(field(result, "stock")).isEqualTo("10");
    assertThat(field(result, "price")).isEqualTo("99.90");
    assertThat(field(result, "per-user limit")).isEqualTo("1");
    assertThat(field(result, "hold seconds")).isEqualTo("300");
    assertThat(apiSale(id).get("stock").asInt()).isEqualTo(10);
  }

  @Test
  void takesTimesRelativeToThisMachinesClock() {
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    JsonNode sale = cli.admin("sales", "create", "--product", productId(), "--stock", "1",
        "--starts-at", "+1h", "--ends-at", "+2d", "--json").succeeded().json();

    Instant after = Instant.now();
    Instant startsAt = Instant.parse(sale.get("startsAt").asText());
    assertThat(startsAt).isBetween(before.plus(Duration.ofHours(1)), after.plus(Duration.ofHours(1)));
    assertThat(Duration.between(startsAt, Instant.parse(sale.get("endsAt").asText())))
        .isEqualTo(Duration.ofDays(2).minusHours(1));
  }

  @Test
  void reportsTheApisRefusalOfImpossibleTimes() {
    CliHarness.Result result = cli.admin("sales", "create", "--product", productId(), "--stock", "1",
        "--starts-at", "+2h", "--ends-at", "+1h").failed();

    assertThat(result.err()).contains("(VALIDATION)").contains("endsAt: must be after startsAt");
  }

  @Test
  void reportsAnUnknownProduct() {
    CliHarness.Result result = cli.admin("sales", "create", "--product", UUID.randomUUID().toString(),
        "--stock", "1", "--starts-at", "+1h", "--ends-at", "+2h").failed();

    assertThat(result.err()).isEqualToIgnoringNewLines("flashsale admin: Not found: No such product (NOT_FOUND)");
  }

  // ---- list ----

  @Test
  void listsSalesByStatusInATableAndAsJson() {
    String upcoming = upcomingSale();
    String live = app.createSaleId(Map.of());

    eventually(READ_MODEL, () -> {
      List<String> lines = cli.admin("sales", "list", "--status", "upcoming", "--limit", "500")
          .succeeded().out().lines().toList();
      assertThat(lines.get(0))
          .matches("ID\\s+PRODUCT\\s+STATUS\\s+PRICE\\s+STOCK\\s+AVAILABLE\\s+STARTS AT\\s+ENDS AT");
      assertThat(lines).anySatisfy(line -> assertThat(line).startsWith(upcoming).contains("UPCOMING"));
      assertThat(lines).noneSatisfy(line -> assertThat(line).startsWith(live));
    });
    eventually(READ_MODEL, () -> {
      JsonNode page = cli.admin("sales", "list", "--status", "live", "--json").succeeded().json();
      assertThat(page.get("items").findValuesAsText("id")).contains(live).doesNotContain(upcoming);
      assertThat(page.has("next")).isTrue();
    });
  }

  @Test
  void printsTheCursorOfTheNextPage() {
    upcomingSale();
    upcomingSale();

    eventually(READ_MODEL, () -> {
      CliHarness.Result result = cli.admin("sales", "list", "--limit", "1").succeeded();
      assertThat(result.out().lines().toList()).hasSize(3).last().asString().startsWith("More: add --after ");
    });
  }

  // ---- move, add-stock, cancel, stats: a round trip ----

  @Test
  void movesAddsStockShowsStatsAndCancelsASale() {
    String id = upcomingSale();
    Instant newStart = now().plus(Duration.ofHours(3));
    Instant newEnd = now().plus(Duration.ofHours(5));

    CliHarness.Result moved = cli.admin("sales", "move", id, "--starts-at", newStart.toString(),
        "--ends-at", newEnd.toString()).succeeded();
    assertThat(field(moved, "starts at")).isEqualTo(newStart.toString());
    assertThat(field(moved, "ends at")).isEqualTo(newEnd.toString());
    eventually(READ_MODEL, () -> assertThat(Instant.parse(apiSale(id).get("startsAt").asText())).isEqualTo(newStart));

    CliHarness.Result added = cli.admin("sales", "add-stock", id, "5").succeeded();
    assertThat(field(added, "stock")).isEqualTo("15");
    assertThat(apiStats(id).get("stock").asInt()).isEqualTo(15);

    CliHarness.Result stats = cli.admin("sales", "stats", id).succeeded();
    assertThat(stats.out().lines().toList()).containsExactly(
        "stock      15", "available  15", "reserved   0", "confirmed  0", "released   0");
    assertThat(cli.admin("sales", "stats", id, "--json").succeeded().json()).isEqualTo(apiStats(id));

    CliHarness.Result cancelled = cli.admin("sales", "cancel", id).succeeded();
    assertThat(field(cancelled, "status")).isEqualTo("CANCELLED");
    eventually(READ_MODEL, () -> assertThat(apiSale(id).get("status").asText()).isEqualTo("CANCELLED"));
    assertThat(cli.admin("sales", "add-stock", id, "1").failed().err()).contains("(INVALID_TRANSITION)");
  }

  @Test
  void theRoomCommandOpensARoomSetsItsRatePausesResumesAndRemovesIt() {
    String id = upcomingSale();
    assertThat(cli.admin("sales", "room", id).succeeded().out()).isEqualTo("This sale has no waiting room.\n");

    CliHarness.Result opened = cli.admin("sales", "room", id, "--rate", "50").succeeded();
    assertThat(field(opened, "admission rate")).isEqualTo("50/s");
    assertThat(field(opened, "waiting")).isEqualTo("0");
    assertThat(apiStats(id).at("/waitingRoom/admissionRate").asInt()).isEqualTo(50);
    assertThat(apiSale(id).at("/waitingRoom/difficulty").asInt()).isEqualTo(12);

    assertThat(field(cli.admin("sales", "room", id, "--pause").succeeded(), "room")).isEqualTo("PAUSED");
    assertThat(apiStats(id).at("/waitingRoom/paused").asBoolean()).isTrue();
    CliHarness.Result resumed = cli.admin("sales", "room", id, "--resume", "--rate", "0").succeeded();
    assertThat(field(resumed, "admission rate")).startsWith("automatic");
    assertThat(apiStats(id).at("/waitingRoom/paused").asBoolean()).isFalse();
    assertThat(cli.admin("sales", "stats", id).succeeded().out()).contains("admitted");
    assertThat(cli.admin("sales", "room", id, "--pause", "--resume").misused().err()).contains("mutually exclusive");
    assertThat(cli.admin("sales", "room", id, "--rate", "-1").misused().err()).contains("'-1'");

    assertThat(cli.admin("sales", "room", id, "--off").succeeded().out()).isEqualTo("This sale has no waiting room.\n");
    assertThat(apiStats(id).get("waitingRoom").isNull()).isTrue();
  }

  // ---- Idempotency-Key: one per run, so a retried change counts once and a repeated command twice ----

  @Test
  void addingStockTwiceAddsItTwice() {
    String id = upcomingSale();

    cli.admin("sales", "add-stock", id, "5").succeeded();
    CliHarness.Result again = cli.admin("sales", "add-stock", id, "5").succeeded();

    assertThat(field(again, "stock")).isEqualTo("20");
    assertThat(apiStats(id).get("stock").asInt()).isEqualTo(20);
  }

  /**
   * A stand-in in front of the node passes the first request on and answers it 503 (as when the node
   * applied the change but its answer was lost), then passes the retry on: the node sees the same key
   * and applies the change once.
   */
  @Test
  void aCreateAndAnAddStockWhoseAnswersWereLostAreRetriedAndAppliedOnce() throws Exception {
    List<JsonNode> lostAnswers = new CopyOnWriteArrayList<>();
    try (StandInApi front = StandInApi.start((n, request) -> {
      StandInApi.Answer real = StandInApi.forward(app.api.baseUrl(), request);
      if (n % 2 == 1) {
        lostAnswers.add(Json.MAPPER.readTree(real.body()));
        return StandInApi.overloaded();
      }
      return real;
    })) {
      cli.env("FLASHSALE_TOKEN", app.adminToken());

      JsonNode created = cli.admin("sales", "create", "--url", front.url(), "--product", productId(),
          "--stock", "10", "--starts-at", now().plus(Duration.ofHours(1)).toString(), "--ends-at", "+2d", "--json")
          .succeeded().json();
      String id = created.get("id").asText();
      JsonNode added = cli.admin("sales", "add-stock", id, "5", "--url", front.url(), "--json").succeeded().json();

      List<StandInApi.Request> requests = front.requests();
      assertThat(requests).hasSize(4);
      assertThat(requests.get(1).idempotencyKey()).isNotBlank().isEqualTo(requests.get(0).idempotencyKey());
      assertThat(requests.get(3).idempotencyKey()).isNotBlank().isEqualTo(requests.get(2).idempotencyKey());
      // The lost answers were the node's: the first attempts made the sale and added the stock.
      assertThat(lostAnswers.get(0).get("id").asText()).isEqualTo(id);
      assertThat(lostAnswers.get(1).get("stock").asInt()).isEqualTo(15);
      // The retries found them done: still one sale, and 5 units added once.
      assertThat(created.get("stock").asInt()).isEqualTo(10);
      assertThat(added.get("stock").asInt()).isEqualTo(15);
      assertThat(apiStats(id).get("stock").asInt()).isEqualTo(15);
    }
  }

  @Test
  void statsCountABuyersHold() {
    String id = app.createSaleId(Map.of("stock", 10));
    assertThat(app.api.post("/api/sales/" + id + "/purchase", app.newBuyerToken(), null).status()).isEqualTo(201);

    CliHarness.Result stats = cli.admin("sales", "stats", id).succeeded();

    assertThat(field(stats, "available")).isEqualTo("9");
    assertThat(field(stats, "reserved")).isEqualTo("1");
  }

  @Test
  void refusesToMoveTheStartOfALiveSale() {
    String id = app.createSaleId(Map.of());

    CliHarness.Result result = cli.admin("sales", "move", id, "--starts-at", "+1h").failed();

    assertThat(result.err()).startsWith("flashsale admin: Change not allowed: ").contains("(INVALID_TRANSITION)");
  }

  @Test
  void historyShowsTheSalesEventsInOrder() {
    String id = app.createSaleId(Map.of("stock", 10));
    assertThat(app.api.post("/api/sales/" + id + "/purchase", app.newBuyerToken(), null).status()).isEqualTo(201);

    CliHarness.Result history = cli.admin("sales", "history", id).succeeded();

    List<String> lines = history.out().lines().toList();
    assertThat(lines.get(0)).matches("#\\s+WRITTEN AT\\s+TYPE\\s+EVENT");
    assertThat(lines.get(1)).startsWith("1 ").contains("SaleCreated").contains(id);
    assertThat(lines.get(2)).startsWith("2 ").containsPattern("UnitsReserved|HoldsTaken");
    assertThat(cli.admin("sales", "history", id, "--json").succeeded().json())
        .isEqualTo(app.api.get("/api/admin/sales/" + id + "/history", app.adminToken()).json());
    assertThat(cli.admin("sales", "history", id, "--limit", "1").succeeded().out()).contains("More: add --after 1");
  }

  @Test
  void reportsAnUnknownSale() {
    CliHarness.Result result = cli.admin("sales", "stats", UUID.randomUUID().toString()).failed();

    assertThat(result.err()).startsWith("flashsale admin: Not found: ").contains("(NOT_FOUND)");
  }
}
