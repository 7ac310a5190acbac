package com.flashsale.waitingroom;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.FlashSaleNode;
import com.flashsale.account.Role;
import com.flashsale.http.Json;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.SseClients;
import com.flashsale.testing.TestDatabase;
import com.flashsale.testing.TestNodes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A sale's waiting room on a real node, in real time (a heartbeat of 1 s): buyers pay a proof of work to join,
 * the pre-queue is admitted in its drawn order at the room's rate, only a pass buys, a buyer who stops checking
 * in loses the place, waiting buyers learn when the stock is gone, and a node restarting mid-queue costs no one
 * their place.
 */
class WaitingRoomTest {

  private static final Map<String, Object> SETTINGS = Map.of(
      "flashsale.waiting-room.heartbeat", "1s",
      "flashsale.waiting-room.abandon-after", "2s",
      "flashsale.waiting-room.tick", "100ms",
      "flashsale.waiting-room.pass-validity", "30s",
      "flashsale.sale.expiry-check", "200ms");

  private String dbUrl;
  private FlashSaleNode.Running node;
  private ApiClient api;
  private String admin;
  /** Check-in rounds so far. */
  private int round;

  /** One waiting buyer: their sign-in token and the newest ticket and answer they got. */
  private final class Buyer {
    final String userId = UUID.randomUUID().toString();
    final String token = node.tokens().issue(userId, Role.CUSTOMER);
    String ticket;
    JsonNode last;
    /** The check-in round in which the buyer first saw ADMITTED (-1: not yet). */
    int admittedRound = -1;
    final List<Long> positions = new ArrayList<>();

    Response join(String saleId) {
      JsonNode challenge = api.get("/api/sales/" + saleId + "/queue/challenge", token).json();
      String nonce = solve(challenge.get("token").asText(), challenge.get("bits").asInt());
      Response joined = api.post("/api/sales/" + saleId + "/queue", token,
          Map.of("challenge", challenge.get("token").asText(), "nonce", nonce));
      if (joined.status() == 201) {
        remember(joined.json());
      }
      return joined;
    }

    JsonNode checkIn(String saleId) {
      Response response = api.get("/api/sales/" + saleId + "/queue?ticket=" + ticket, null);
      assertThat(response.status()).as("check-in %s", response).isEqualTo(200);
      remember(response.json());
      return last;
    }

    void remember(JsonNode answer) {
      last = answer;
      ticket = answer.get("ticket").asText();
      if (answer.hasNonNull("position") && !"ADMITTED".equals(answer.get("state").asText())) {
        positions.add(answer.get("position").asLong());
      }
      if ("ADMITTED".equals(answer.get("state").asText()) && admittedRound < 0) {
        admittedRound = round;
      }
    }

    String state() {
      return last.get("state").asText();
    }

    long rank() {
      return claims(ticket).get("rank").asLong();
    }

    Response buy(String saleId, String pass) {
      Map<String, String> headers = new HashMap<>();
      if (pass != null) {
        headers.put("Admission-Pass", pass);
      }
      return api.send("POST", "/api/sales/" + saleId + "/purchase", token, null, null, headers);
    }
  }

  /** Buyers must be able to check in within abandon-after, so the restart test waits longer before it counts. */
  private static final Map<String, Object> PATIENT = new HashMap<>(SETTINGS);

  static {
    PATIENT.put("flashsale.waiting-room.abandon-after", "30s");
  }

  /** The node most tests share (each with sales of its own); the restart test runs nodes of its own. */
  private static FlashSaleNode.Running shared;
  private static String sharedDb;

  @BeforeAll
  static void startShared() {
    sharedDb = TestDatabase.fresh("waiting-room");
    shared = TestNodes.single(sharedDb, Clock.systemUTC(), SETTINGS);
  }

  @AfterAll
  static void stopShared() {
    shared.stop();
  }

  @BeforeEach
  void start() {
    dbUrl = sharedDb;
    use(shared);
  }

  private void startNode(Map<String, Object> settings) {
    use(TestNodes.single(dbUrl, Clock.systemUTC(), settings));
  }

  private void use(FlashSaleNode.Running running) {
    node = running;
    api = ApiClient.forPort(node.httpPort());
    admin = api.post("/api/auth/login", null, Map.of("email", FlashSaleFixture.ADMIN_EMAIL,
        "password", FlashSaleFixture.ADMIN_PASSWORD)).json().get("token").asText();
  }

  @AfterEach
  void stop() {
    if (node != shared) {
      node.stop();
    }
  }

  private String roomSale(int stock, Instant startsAt, Map<String, Object> room) {
    String product = api.post("/api/admin/products", admin, Map.of("name", "Sneakers", "description", "Limited",
        "imageUrl", "https://img.example/s.png", "price", "99.90")).json().get("id").asText();
    Response created = api.post("/api/admin/sales", admin, Map.of("productId", product, "stock", stock,
        "startsAt", startsAt.toString(), "endsAt", startsAt.plus(Duration.ofHours(1)).toString(),
        "waitingRoom", room));
    assertThat(created.status()).as("create %s", created).isEqualTo(201);
    return created.json().get("id").asText();
  }

  /** What the storefront does: try nonces until SHA-256(token:nonce) has enough zero bits. */
  static String solve(String token, int bits) {
    for (long n = 0; ; n++) {
      String nonce = Long.toString(n, 36);
      if (ProofOfWork.solves(token, nonce, bits)) {
        return nonce;
      }
    }
  }

  static JsonNode claims(String jwt) {
    try {
      return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every buyer checks in, about twice a heartbeat, until {@code done} holds for all. */
  private void checkInUntil(String saleId, List<Buyer> buyers, Duration within,
      java.util.function.Predicate<Buyer> done) {
    checkInUntil(saleId, buyers, buyers, within, done);
  }

  /**
   * The waiting buyers check in, about twice a heartbeat, until {@code done} holds for each of {@code until}. Each
   * round goes from the last in line to the first: admission only moves forward, so if a buyer is admitted in a
   * round, everyone ahead of them is seen admitted in that round too.
   */
  private void checkInUntil(String saleId, List<Buyer> waiting, List<Buyer> until, Duration within,
      java.util.function.Predicate<Buyer> done) {
    eventually(within, () -> {
      round++;
      for (Buyer buyer : waiting.stream().sorted(Comparator.comparingLong(Buyer::rank).reversed()).toList()) {
        if (!"ADMITTED".equals(buyer.state()) && !done.test(buyer)) {
          buyer.checkIn(saleId);
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(400).toNanos());
      assertThat(until).allMatch(done);
    });
  }

  @Test
  void thePrequeueIsAdmittedInItsDrawnOrderAtTheRoomsRateAndOnlyAPassBuys() {
    Instant startsAt = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
    String saleId = roomSale(10, startsAt, Map.of("prequeueOpensAt", startsAt.minusSeconds(60).toString(),
        "difficulty", 6, "admissionRate", 2));
    List<Buyer> buyers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Buyer buyer = new Buyer();
      Response joined = buyer.join(saleId);
      assertThat(joined.status()).as("join %s", joined).isEqualTo(201);
      assertThat(buyer.state()).isEqualTo("PREQUEUE");
      assertThat(buyer.last.get("position").isNull()).as("no position before the draw").isTrue();
      buyers.add(buyer);
    }
    Buyer first = buyers.get(0);
    long rank = first.rank();
    Response again = api.post("/api/sales/" + saleId + "/queue", first.token, Map.of("ticket", first.ticket));
    assertThat(again.status()).isEqualTo(200);
    assertThat(claims(again.json().get("ticket").asText()).get("rank").asLong()).as("joining again: same place")
        .isEqualTo(rank);

    checkInUntil(saleId, buyers, Duration.ofSeconds(30), buyer -> "ADMITTED".equals(buyer.state()));

    List<Buyer> byRank = buyers.stream().sorted(Comparator.comparingLong(Buyer::rank)).toList();
    assertThat(byRank.stream().map(buyer -> buyer.admittedRound).toList()).as("admitted in the drawn order")
        .isSorted();
    assertThat(byRank.get(5).admittedRound).as("at 2 a second, not all at once")
        .isGreaterThan(byRank.get(0).admittedRound);
    for (Buyer buyer : buyers) {
      assertThat(buyer.positions).as("positions never grow").isSortedAccordingTo(Comparator.reverseOrder());
      assertThat(buyer.buy(saleId, null).code()).isEqualTo("NOT_ADMITTED");
    }
    String alicesPass = first.last.get("pass").asText();
    assertThat(buyers.get(1).buy(saleId, alicesPass).code()).as("a pass is its buyer's").isEqualTo("NOT_ADMITTED");
    for (Buyer buyer : buyers) {
      Response bought = buyer.buy(saleId, buyer.last.get("pass").asText());
      assertThat(bought.status()).as("buy %s", bought).isEqualTo(201);
    }
    JsonNode stats = api.get("/api/admin/sales/" + saleId + "/stats", admin).json();
    assertThat(stats.get("reserved").asInt()).isEqualTo(6);
    eventually(Duration.ofSeconds(5), () -> {
      JsonNode room = api.get("/api/admin/sales/" + saleId + "/stats", admin).json().get("waitingRoom");
      assertThat(room.get("joined").asLong()).as("%s", room).isEqualTo(6);
      assertThat(room.get("admitted").asLong()).as("%s", room).isEqualTo(6);
      assertThat(room.get("purchased").asInt()).as("%s", room).isEqualTo(6);
      assertThat(room.get("waiting").asLong()).as("%s", room).isZero();
      assertThat(room.get("abandoned").asLong()).as("%s", room).isZero();
      assertThat(room.get("admissionRate").asInt()).isEqualTo(2);
    });
  }

  @Test
  void aBuyerWhoStopsCheckingInLosesTheirPlaceAndJoinsAgainAtTheBack() {
    String saleId = roomSale(10, Instant.now().minusSeconds(1), Map.of("difficulty", 4, "admissionRate", 1));
    Buyer buyer = new Buyer();
    assertThat(buyer.join(saleId).status()).isEqualTo(201);
    String abandoned = buyer.ticket;

    eventually(Duration.ofSeconds(10), () -> assertThat(
        api.get("/api/sales/" + saleId + "/queue?ticket=" + abandoned, null).code()).isEqualTo("TICKET_EXPIRED"));
    Response rejoin = api.post("/api/sales/" + saleId + "/queue", buyer.token, Map.of("ticket", abandoned));
    assertThat(rejoin.code()).as("an expired ticket is no place").isEqualTo("TICKET_EXPIRED");
    long before = claims(abandoned).get("rank").asLong();
    assertThat(buyer.join(saleId).status()).isEqualTo(201);
    assertThat(buyer.rank()).as("at the back").isGreaterThan(before);
  }

  @Test
  void waitingBuyersLearnWhenNoUnitIsLeftAndWhenUnitsComeBack() {
    String saleId = roomSale(1, Instant.now().minusSeconds(1), Map.of("difficulty", 4, "admissionRate", 5));
    Buyer alice = new Buyer();
    alice.join(saleId);
    checkInUntil(saleId, List.of(alice), Duration.ofSeconds(20), buyer -> "ADMITTED".equals(buyer.state()));
    JsonNode hold = alice.buy(saleId, alice.last.get("pass").asText()).json();
    Buyer bob = new Buyer();
    bob.join(saleId);

    checkInUntil(saleId, List.of(bob), Duration.ofSeconds(10), buyer -> "UNITS_MAY_COME_BACK".equals(buyer.state()));
    assertThat(api.delete("/api/orders/" + hold.get("id").asText(), alice.token).status()).isEqualTo(200);
    checkInUntil(saleId, List.of(bob), Duration.ofSeconds(20), buyer -> "ADMITTED".equals(buyer.state()));
    JsonNode bobs = bob.buy(saleId, bob.last.get("pass").asText()).json();
    assertThat(api.post("/api/orders/" + bobs.get("id").asText() + "/pay", bob.token,
        Map.of("paymentToken", "tok-approve")).status()).isEqualTo(200);

    Buyer carol = new Buyer();
    carol.join(saleId);
    checkInUntil(saleId, List.of(carol), Duration.ofSeconds(10), buyer -> "SOLD_OUT".equals(buyer.state()));
  }

  @Test
  void aStreamKeepsItsBuyerInLineAndEndsWithTheAnswer() {
    String saleId = roomSale(1, Instant.now().minusSeconds(1), Map.of("difficulty", 4, "admissionRate", 5));
    Buyer alice = new Buyer();
    alice.join(saleId);
    try (SseClients clients = SseClients.of(node.httpPort(), "/api/sales/" + saleId + "/queue/events?ticket="
        + alice.ticket, true)) {
      SseClients.Stream stream = clients.connect(1).get(0);
      // Longer than abandon-after (2 s) with no check-in but the stream's own.
      eventually(Duration.ofSeconds(20), () -> assertThat(stream.lastData()).contains("\"state\":\"ADMITTED\""));
      assertThat(stream.last().name()).isEqualTo("queue");
      alice.last = read(stream.lastData());
    }
    // A final answer ends the stream: for an admitted ticket, at once after its one event.
    Response ended = api.get("/api/sales/" + saleId + "/queue/events?ticket=" + alice.last.get("ticket").asText(), null);
    assertThat(ended.body()).containsOnlyOnce("event:queue").containsOnlyOnce("data:")
        .contains("\"state\":\"ADMITTED\"");

    JsonNode hold = alice.buy(saleId, alice.last.get("pass").asText()).json();
    Buyer bob = new Buyer();
    bob.join(saleId);
    try (SseClients clients = SseClients.of(node.httpPort(), "/api/sales/" + saleId + "/queue/events?ticket="
        + bob.ticket, true)) {
      SseClients.Stream stream = clients.connect(1).get(0);
      eventually(Duration.ofSeconds(10), () -> assertThat(stream.lastData()).contains("UNITS_MAY_COME_BACK"));
      assertThat(api.post("/api/orders/" + hold.get("id").asText() + "/pay", alice.token,
          Map.of("paymentToken", "tok-approve")).status()).isEqualTo(200);

      eventually(Duration.ofSeconds(10), () -> assertThat(stream.lastData()).contains("\"state\":\"SOLD_OUT\""));
    }
    assertThat(api.get("/api/sales/" + saleId + "/queue/events?ticket=bogus", null).code()).isEqualTo("VALIDATION");
  }

  private static JsonNode read(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aNodeRestartMidQueueCostsNoOneTheirPlace() {
    dbUrl = TestDatabase.fresh("waiting-room-restart");
    startNode(PATIENT);
    String saleId = roomSale(10, Instant.now().minusSeconds(1), Map.of("difficulty", 4, "admissionRate", 2));
    List<Buyer> buyers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Buyer buyer = new Buyer();
      buyer.join(saleId);
      buyers.add(buyer);
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // distinct arrival times
    }
    checkInUntil(saleId, buyers, buyers.subList(0, 1), Duration.ofSeconds(20),
        buyer -> "ADMITTED".equals(buyer.state()));

    node.stop();
    startNode(PATIENT);

    checkInUntil(saleId, buyers, Duration.ofSeconds(40), buyer -> "ADMITTED".equals(buyer.state()));
    assertThat(buyers.stream().map(buyer -> buyer.admittedRound).toList()).as("still in arrival order").isSorted();
    for (Buyer buyer : buyers) {
      assertThat(buyer.buy(saleId, buyer.last.get("pass").asText()).status()).isEqualTo(201);
    }
  }

  @Test
  void joiningNeedsAnOpenRoomAndASolvedChallengeOfOnesOwn() {
    Instant startsAt = Instant.now().plus(Duration.ofHours(1));
    String later = roomSale(10, startsAt, Map.of("prequeueOpensAt", startsAt.minusSeconds(60).toString()));
    String plain = roomSale(10, Instant.now().minusSeconds(1), Map.of("enabled", false));
    String saleId = roomSale(10, Instant.now().minusSeconds(1), Map.of("difficulty", 12));
    Buyer alice = new Buyer();
    Buyer bob = new Buyer();

    assertThat(api.get("/api/sales/" + later + "/queue/challenge", alice.token).code()).isEqualTo("NOT_STARTED");
    assertThat(api.get("/api/sales/" + plain + "/queue/challenge", alice.token).code()).isEqualTo("NOT_FOUND");
    assertThat(api.get("/api/sales/" + saleId + "/queue/challenge", null).status()).isEqualTo(401);
    JsonNode challenge = api.get("/api/sales/" + saleId + "/queue/challenge", alice.token).json();
    String token = challenge.get("token").asText();
    assertThat(challenge.get("bits").asInt()).isEqualTo(12);
    String solution = solve(token, 12);
    String wrong = solution.equals("zz") ? "zy" : "zz";

    Response unsolved = api.post("/api/sales/" + saleId + "/queue", alice.token, Map.of("challenge", token, "nonce", wrong));
    Response stolen = api.post("/api/sales/" + saleId + "/queue", bob.token, Map.of("challenge", token, "nonce", solution));
    Response empty = api.post("/api/sales/" + saleId + "/queue", alice.token, Map.of());
    Response bogus = api.get("/api/sales/" + saleId + "/queue?ticket=not-a-ticket", null);
    Response otherSale = api.get("/api/sales/" + plain + "/queue?ticket=" + alice.ticket, null);

    if (ProofOfWork.solves(token, wrong, 12)) {
      assertThat(unsolved.status()).isEqualTo(201); // one in 4,096: the wrong guess was right
    } else {
      assertThat(unsolved.code()).isEqualTo("VALIDATION");
    }
    assertThat(stolen.code()).isEqualTo("FORBIDDEN");
    assertThat(empty.code()).isEqualTo("VALIDATION");
    assertThat(bogus.code()).isEqualTo("VALIDATION");
    assertThat(otherSale.code()).isEqualTo("VALIDATION");
    assertThat(api.post("/api/sales/" + saleId + "/queue", alice.token, Map.of("challenge", token, "nonce", solution))
        .status()).isEqualTo(201);
  }
}
