package com.flashsale.http;

import static com.flashsale.http.HostileInputTest.Access.ADMIN;
import static com.flashsale.http.HostileInputTest.Access.CUSTOMER;
import static com.flashsale.http.HostileInputTest.Access.NONE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.flashsale.local.TestNginx;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.ApiClient.Response;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.TestNodes;
import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile input on every endpoint the node serves (its own list, so a new endpoint is attacked or fails
 * this test) crossed with attacks on bodies, path ids, tokens and query strings, plus raw malformed HTTP
 * over a socket. Every answer must be a clean 4xx problem+json with a code from the contract and nothing
 * leaked; the few attacks that are harmless data (SQL metacharacters in a product name) may succeed, and
 * then must round-trip verbatim without harming any table.
 *
 * <p>Every attack is made twice, once at each {@link Entry}: on the node itself, then through the real nginx
 * of nginx/nginx.conf in front of it, as buyers reach it. The expectations are the same: what nginx refuses
 * itself (a body over its 64 KiB, a request line it cannot read) it must answer as the node would, with a
 * problem+json of the contract.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputTest {

  // ---------------------------------------------------------------- the contract's error table

  /** code → status, from the API contract's table. */
  private static final Map<String, Integer> CODES = Map.ofEntries(
      Map.entry("VALIDATION", 400), Map.entry("UNAUTHORIZED", 401), Map.entry("FORBIDDEN", 403),
      Map.entry("NOT_FOUND", 404), Map.entry("EMAIL_TAKEN", 409), Map.entry("BAD_CREDENTIALS", 401),
      Map.entry("SOLD_OUT", 409), Map.entry("LIMIT_REACHED", 409), Map.entry("NOT_STARTED", 409),
      Map.entry("SALE_ENDED", 410), Map.entry("SALE_CANCELLED", 410), Map.entry("RESERVATION_EXPIRED", 410),
      Map.entry("PAYMENT_DECLINED", 402), Map.entry("ALREADY_CONFIRMED", 409), Map.entry("INVALID_TRANSITION", 409),
      Map.entry("IDEMPOTENCY_MISMATCH", 422), Map.entry("RATE_LIMITED", 429), Map.entry("OVERLOADED", 503),
      Map.entry("TOO_MANY_ATTEMPTS", 409));

  /** Nothing of the implementation may show in any answer. */
  private static final List<String> LEAKS = List.of("Exception", "at com.", "at akka.", "java.", "scala.",
      "org.postgresql", "SQL", "SELECT", "INSERT", "stack", "JsonParseException", "JsonMappingException",
      "MismatchedInputException", "com.fasterxml", "\tat ", "<script");

  private static final String SQL_DROP = "'; DROP TABLE users; --";
  private static final String SQL_OR = "\" OR 1=1 --";
  private static final List<String> SQL = List.of(SQL_DROP, SQL_OR);
  private static final String OTHER_SECRET = "another-secret-that-is-also-at-least-32-bytes";
  private static final String LOGIN_EMAIL = "hostile-login@example.com";
  private static final String LOGIN_PASSWORD = "password-123";

  // ---------------------------------------------------------------- the endpoint table

  enum Access { NONE, CUSTOMER, ADMIN }

  enum BodyKind { NONE, REQUIRED, OPTIONAL }

  enum Kind {
    TEXT, EMAIL, MONEY, INSTANT, ID, INT;

    boolean isString() {
      return this != INT;
    }
  }

  /** A body field; {@code freeText} fields hold arbitrary user text, so SQL in them is just data. */
  record Field(String name, Kind kind, boolean required, boolean freeText) {}

  /** Which of the fixture's ids fills an endpoint's path parameter ({@code ORDER}: a fresh hold of the caller's). */
  enum PathId { NONE, PRODUCT, SALE, CANCEL_SALE, BUY_SALE, ORDER, ROOM_SALE }

  /**
   * What the attacks know of one endpoint: who may call it, its body and fields, and which id its path takes
   * ({@code SALE} is the sale admins change; cancelling gets a sale of its own, buying the big one).
   */
  record Known(String key, Access access, BodyKind body, PathId pathId, List<Field> fields) {}

  /** An endpoint the node serves, with what the attacks know of it. */
  record Attacked(String key, String method, String template, Access access, BodyKind body, PathId pathId,
      List<Field> fields) {

    static Attacked of(Endpoint endpoint, Known known) {
      return new Attacked(known.key(), endpoint.method().name(), endpoint.template(), known.access(), known.body(),
          known.pathId(), known.fields());
    }

    String label() {
      return method + " " + template;
    }

    boolean hasId() {
      return template.contains("{");
    }

    boolean anyRequired() {
      return fields.stream().anyMatch(Field::required);
    }

    String firstField() {
      return fields.isEmpty() ? "x" : fields.get(0).name();
    }

    /** A method this path does not serve. */
    String wrongMethod() {
      return method.equals("PUT") ? "DELETE" : "PUT";
    }
  }

  private static Field f(String name, Kind kind, boolean required) {
    return new Field(name, kind, required, false);
  }

  private static Field text(String name, boolean required) {
    return new Field(name, Kind.TEXT, required, true);
  }

  private static final List<Field> PRODUCT_FIELDS = List.of(text("name", true), text("description", true),
      f("imageUrl", Kind.TEXT, false), f("price", Kind.MONEY, true));

  /**
   * What the attacks know of each endpoint, by the "METHOD template" the node serves it at. The endpoints
   * attacked are the node's own ({@link #attacked()}); one it serves that is not known here fails
   * {@link #everyEndpointOfTheNodeIsAttacked()}.
   */
  static final Map<String, Known> KNOWN = Map.ofEntries(
      known("POST /api/auth/register", "register", NONE, BodyKind.REQUIRED, PathId.NONE,
          List.of(f("email", Kind.EMAIL, true), text("password", true), text("name", true))),
      known("POST /api/auth/login", "login", NONE, BodyKind.REQUIRED, PathId.NONE,
          List.of(f("email", Kind.EMAIL, true), f("password", Kind.TEXT, true))),
      known("GET /api/me", "me", CUSTOMER, BodyKind.NONE, PathId.NONE, List.of()),
      known("GET /api/products", "products", NONE, BodyKind.NONE, PathId.NONE, List.of()),
      known("GET /api/products/{id}", "product", NONE, BodyKind.NONE, PathId.PRODUCT, List.of()),
      known("POST /api/admin/products", "createProduct", ADMIN, BodyKind.REQUIRED, PathId.NONE, PRODUCT_FIELDS),
      known("PUT /api/admin/products/{id}", "updateProduct", ADMIN, BodyKind.REQUIRED, PathId.PRODUCT,
          PRODUCT_FIELDS),
      known("POST /api/admin/sales", "createSale", ADMIN, BodyKind.REQUIRED, PathId.NONE, List.of(
          f("productId", Kind.ID, true), f("stock", Kind.INT, true), f("price", Kind.MONEY, false),
          f("startsAt", Kind.INSTANT, true), f("endsAt", Kind.INSTANT, true), f("perUserLimit", Kind.INT, false),
          f("holdSeconds", Kind.INT, false))),
      known("PATCH /api/admin/sales/{id}", "changeSale", ADMIN, BodyKind.REQUIRED, PathId.SALE, List.of(
          f("startsAt", Kind.INSTANT, false), f("endsAt", Kind.INSTANT, false), f("addStock", Kind.INT, false))),
      known("POST /api/admin/sales/{id}/cancel", "cancelSale", ADMIN, BodyKind.NONE, PathId.CANCEL_SALE, List.of()),
      known("GET /api/admin/sales/{id}/stats", "stats", ADMIN, BodyKind.NONE, PathId.SALE, List.of()),
      known("GET /api/admin/sales/{id}/orders", "saleOrders", ADMIN, BodyKind.NONE, PathId.SALE, List.of()),
      known("GET /api/admin/sales/{id}/history", "saleHistory", ADMIN, BodyKind.NONE, PathId.SALE, List.of()),
      known("GET /api/sales", "sales", NONE, BodyKind.NONE, PathId.NONE, List.of()),
      known("GET /api/sales/{id}", "sale", NONE, BodyKind.NONE, PathId.SALE, List.of()),
      known("GET /api/sales/{id}/events", "events", NONE, BodyKind.NONE, PathId.SALE, List.of()),
      known("POST /api/sales/{id}/purchase", "purchase", CUSTOMER, BodyKind.OPTIONAL, PathId.BUY_SALE,
          List.of(f("quantity", Kind.INT, false))),
      known("GET /api/sales/{id}/queue/challenge", "challenge", CUSTOMER, BodyKind.NONE, PathId.ROOM_SALE, List.of()),
      known("POST /api/sales/{id}/queue", "join", CUSTOMER, BodyKind.REQUIRED, PathId.ROOM_SALE, List.of(
          f("challenge", Kind.TEXT, false), f("nonce", Kind.TEXT, false), text("ticket", false))),
      known("GET /api/sales/{id}/queue", "queue", NONE, BodyKind.NONE, PathId.ROOM_SALE, List.of()),
      known("GET /api/sales/{id}/queue/events", "queueEvents", NONE, BodyKind.NONE, PathId.ROOM_SALE, List.of()),
      known("POST /api/orders/{id}/pay", "pay", CUSTOMER, BodyKind.REQUIRED, PathId.ORDER,
          List.of(text("paymentToken", true))),
      known("DELETE /api/orders/{id}", "cancelOrder", CUSTOMER, BodyKind.NONE, PathId.ORDER, List.of()),
      known("GET /api/orders/{id}", "order", CUSTOMER, BodyKind.NONE, PathId.ORDER, List.of()),
      known("GET /api/orders", "orders", CUSTOMER, BodyKind.NONE, PathId.NONE, List.of()),
      known("GET /health/alive", "alive", NONE, BodyKind.NONE, PathId.NONE, List.of()),
      known("GET /health/ready", "ready", NONE, BodyKind.NONE, PathId.NONE, List.of()),
      known("GET /metrics", "metrics", NONE, BodyKind.NONE, PathId.NONE, List.of()),
      known("GET /api/openapi.yaml", "openapi", NONE, BodyKind.NONE, PathId.NONE, List.of()));

  private static Map.Entry<String, Known> known(String endpoint, String key, Access access, BodyKind body,
      PathId pathId, List<Field> fields) {
    return Map.entry(endpoint, new Known(key, access, body, pathId, fields));
  }

  /** The node's endpoints that the attacks know of, in the node's order. */
  private static List<Attacked> attacked() {
    return app.node.endpoints().stream()
        .filter(endpoint -> KNOWN.containsKey(endpoint.toString()))
        .map(endpoint -> Attacked.of(endpoint, KNOWN.get(endpoint.toString())))
        .toList();
  }

  // ---------------------------------------------------------------- fixture and shared data

  static FlashSaleFixture app;
  static TestNginx nginx;
  static ApiClient viaNginx;
  static String productId;
  static String adminSaleId;
  static String cancelSaleId;
  static String buySaleId;
  /** A sale with a waiting room (proof of work of one bit). */
  static String roomSaleId;
  static String customerToken;

  /**
   * Where the attacks enter. Setup and the checks of harmless successes talk to the node directly; only the
   * attacks themselves go through the entry.
   */
  enum Entry {
    /** The node's own HTTP port. */
    NODE,
    /**
     * nginx/nginx.conf in front of the node, with its per-address rate limits off: every attack comes from
     * 127.0.0.1, and a 429 for the address would answer the attacks before they reach the node's parsing.
     * (NginxTest shows the limits answer 429 RATE_LIMITED problems.)
     */
    NGINX;

    ApiClient api() {
      return this == NODE ? app.api : viaNginx;
    }

    int port() {
      return this == NODE ? app.node.httpPort() : nginx.port();
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("hostile");
    nginx = TestNginx.start(List.of(app.node.httpPort()), false);
    viaNginx = nginx.api();
    productId = app.createProduct().get("id").asText();
    adminSaleId = app.createSaleId(Map.of("stock", 100));
    cancelSaleId = app.createSaleId(Map.of("stock", 10));
    buySaleId = app.createSaleId(Map.of("stock", 1_000_000, "perUserLimit", 1));
    roomSaleId = app.createSaleId(Map.of("stock", 10, "waitingRoom", Map.of("difficulty", 1)));
    Response registered = app.api.post("/api/auth/register", null,
        Map.of("email", LOGIN_EMAIL, "password", LOGIN_PASSWORD, "name", "Hostile Customer"));
    assertThat(registered.status()).as("%s", registered).isEqualTo(201);
    customerToken = registered.json().get("token").asText();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (nginx != null) {
      nginx.close();
    }
    if (app != null) {
      app.close();
    }
  }

  // ---------------------------------------------------------------- requests, expectations, cases

  /** One request; {@code authorization} is the raw header value (null: no header). */
  record Req(String method, String path, String authorization, String contentType, byte[] body,
      Map<String, String> headers, boolean chunked) {}

  /** What an attack may get: 4xx within {@code statuses}/{@code codes} (empty = any), or a harmless 2xx. */
  record Expect(Set<Integer> statuses, Set<String> codes, String errorField, Consumer<Response> harmless) {
    static Expect any4xx() {
      return new Expect(Set.of(), Set.of(), null, null);
    }

    static Expect of(int status, String code) {
      return new Expect(Set.of(status), Set.of(code), null, null);
    }

    static Expect validation() {
      return of(400, "VALIDATION");
    }

    Expect field(String name) {
      return new Expect(statuses, codes, name, harmless);
    }

    Expect orHarmless(Consumer<Response> check) {
      return new Expect(statuses, codes, errorField, check);
    }
  }

  record Case(String name, Supplier<Req> request, Expect expect) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The valid token and the resolved path of an endpoint (a fresh hold of that token's buyer for an order). */
  record Target(String path, String token) {}

  private static Target target(Attacked e) {
    return target(e, null);
  }

  private static Target target(Attacked e, String rawId) {
    String token = switch (e.access()) {
      case NONE -> null;
      case ADMIN -> app.adminToken();
      // A join's solved challenge is bound to the buyer who asked for it.
      case CUSTOMER -> e.key().equals("me") || e.key().equals("join") ? customerToken : app.newBuyerToken();
    };
    String id = rawId != null ? rawId : switch (e.pathId()) {
      case NONE -> null;
      case PRODUCT -> productId;
      case SALE -> adminSaleId;
      case CANCEL_SALE -> cancelSaleId;
      case BUY_SALE -> buySaleId;
      case ROOM_SALE -> roomSaleId;
      case ORDER -> reserve(token);
    };
    String path = id == null ? e.template()
        : e.template().replaceFirst("\\{[A-Za-z]+}", java.util.regex.Matcher.quoteReplacement(id));
    return new Target(path, token);
  }

  /** A fresh hold on the big sale for the buyer of {@code token}; its order id. */
  private static String reserve(String token) {
    Response purchase = app.api.post("/api/sales/" + buySaleId + "/purchase", token, Map.of());
    assertThat(purchase.status()).as("setup purchase: %s", purchase).isIn(200, 201);
    return purchase.json().get("id").asText();
  }

  /** A valid body for the endpoint (fresh email for register). */
  private static ObjectNode base(Attacked e) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    Instant now = app.now();
    switch (e.key()) {
      case "register" -> body.put("email", "hostile-" + UUID.randomUUID() + "@example.com")
          .put("password", "password-123").put("name", "Hostile");
      case "login" -> body.put("email", LOGIN_EMAIL).put("password", LOGIN_PASSWORD);
      case "createProduct", "updateProduct" -> body.put("name", "Hostile product").put("description", "A product")
          .put("imageUrl", "https://img.example/h.png").put("price", "9.99");
      case "createSale" -> body.put("productId", productId).put("stock", 10)
          .put("startsAt", now.minusSeconds(1).toString()).put("endsAt", now.plus(Duration.ofDays(1)).toString());
      case "changeSale" -> body.put("addStock", 1);
      case "purchase" -> body.put("quantity", 1);
      case "pay" -> body.put("paymentToken", "tok-approve");
      case "join" -> {
        String challenge = app.api.get("/api/sales/" + roomSaleId + "/queue/challenge", customerToken).json()
            .get("token").asText();
        String nonce = java.util.stream.LongStream.iterate(0, n -> n + 1).mapToObj(n -> Long.toString(n, 36))
            .filter(candidate -> com.flashsale.waitingroom.ProofOfWork.solves(challenge, candidate, 1))
            .findFirst().orElseThrow();
        body.put("challenge", challenge).put("nonce", nonce);
      }
      default -> throw new IllegalArgumentException("No body for " + e.key());
    }
    return body;
  }

  private static Req jsonReq(Target t, Attacked e, byte[] body) {
    return new Req(e.method(), t.path(), bearer(t.token()), "application/json", body, Map.of(), false);
  }

  private static String bearer(String token) {
    return token == null ? null : "Bearer " + token;
  }

  private static byte[] bytes(JsonNode node) {
    return Json.bytes(node);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** A case whose body is a JSON node built from the valid body. */
  private static Case bodyCase(Attacked e, String attack, java.util.function.UnaryOperator<ObjectNode> edit,
      Expect expect) {
    return new Case(e.label() + " | " + attack, () -> {
      Target t = target(e);
      return jsonReq(t, e, bytes(edit.apply(base(e))));
    }, expect);
  }

  /** A case whose body is raw bytes made from the valid body's JSON text. */
  private static Case rawBodyCase(Attacked e, String attack, String contentType,
      java.util.function.Function<String, byte[]> body, Expect expect) {
    return new Case(e.label() + " | " + attack, () -> {
      Target t = target(e);
      byte[] bytes = body.apply(new String(bytes(base(e)), UTF_8));
      return new Req(e.method(), t.path(), bearer(t.token()), contentType, bytes, Map.of(), false);
    }, expect);
  }

  // ---------------------------------------------------------------- harmless successes

  /** Checks for a 2xx an attack may legitimately get: the data round-trips and no table was harmed. */
  private static Consumer<Response> harmless(Attacked e, String field, String value) {
    return r -> {
      switch (e.key()) {
        case "register" -> {
          assertThat(r.status()).as("%s", r).isEqualTo(201);
          if ("name".equals(field)) {
            assertThat(r.json().at("/user/name").asText()).isEqualTo(value);
          } else if ("email".equals(field)) {
            assertThat(r.json().at("/user/email").asText()).isEqualTo(value.toLowerCase(Locale.ROOT));
          } else if ("password".equals(field)) {
            Response login = app.api.post("/api/auth/login", null,
                Map.of("email", r.json().at("/user/email").asText(), "password", value));
            assertThat(login.status()).as("login with the stored password: %s", login).isEqualTo(200);
          }
        }
        case "createProduct", "updateProduct" -> {
          assertThat(r.status()).as("%s", r).isEqualTo(e.key().equals("createProduct") ? 201 : 200);
          String id = r.json().get("id").asText();
          Response read = app.api.get("/api/products/" + id, null);
          assertThat(read.status()).as("%s", read).isEqualTo(200);
          if (field != null && value != null) {
            assertThat(r.json().get(field).asText()).isEqualTo(value);
            assertThat(read.json().get(field).asText()).isEqualTo(value);
          }
        }
        case "createSale" -> {
          assertThat(r.status()).as("%s", r).isEqualTo(201);
          Response read = app.api.get("/api/sales/" + r.json().get("id").asText(), null);
          assertThat(read.status()).as("%s", read).isEqualTo(200);
        }
        case "changeSale" -> {
          assertThat(r.status()).as("%s", r).isEqualTo(200);
          assertThat(r.json().get("id").asText()).isEqualTo(adminSaleId);
        }
        case "purchase" -> {
          assertThat(r.status()).as("%s", r).isIn(200, 201);
          assertThat(r.json().get("status").asText()).isEqualTo("RESERVED");
        }
        case "pay" -> {
          assertThat(r.status()).as("%s", r).isEqualTo(200);
          assertThat(r.json().get("status").asText()).isEqualTo("CONFIRMED");
        }
        case "join" -> {
          assertThat(r.status()).as("%s", r).isIn(200, 201);
          assertThat(r.json().get("ticket").asText()).isNotBlank();
        }
        default -> assertThat(r.status()).as("%s", r).isEqualTo(200);
      }
      tablesIntact();
    };
  }

  /** users, products and the sale catalogue still answer. */
  private static void tablesIntact() {
    Response products = app.api.get("/api/products", null);
    assertThat(products.status()).as("GET /api/products afterwards: %s", products).isEqualTo(200);
    assertThat(products.json().get("items").isArray()).isTrue();
    Response login = app.api.post("/api/auth/login", null,
        Map.of("email", FlashSaleFixture.ADMIN_EMAIL, "password", FlashSaleFixture.ADMIN_PASSWORD));
    assertThat(login.status()).as("admin login afterwards: %s", login).isEqualTo(200);
    Response customer = app.api.post("/api/auth/login", null, Map.of("email", LOGIN_EMAIL, "password", LOGIN_PASSWORD));
    assertThat(customer.status()).as("customer login afterwards: %s", customer).isEqualTo(200);
    Response sale = app.api.get("/api/sales/" + adminSaleId, null);
    assertThat(sale.status()).as("GET /api/sales/{id} afterwards: %s", sale).isEqualTo(200);
  }

  private static Consumer<Response> noReflection() {
    return r -> assertThat(r.status()).as("%s", r).isEqualTo(200);
  }

  // ---------------------------------------------------------------- body attacks

  private static List<JsonNode> wrongValues(Field field) {
    ObjectNode object = Json.MAPPER.createObjectNode().put("x", "y");
    if (field.kind().isString()) {
      return List.of(IntNode.valueOf(12345), object, BooleanNode.TRUE, Json.MAPPER.createArrayNode().add("a"));
    }
    return List.of(TextNode.valueOf("10"), BooleanNode.TRUE, object, DoubleNode.valueOf(1.5),
        LongNode.valueOf(99_999_999_999L), DecimalNode.valueOf(new BigDecimal("1e400")),
        Json.MAPPER.createArrayNode().add(1));
  }

  private static List<Case> bodyCases(Attacked e) {
    List<Case> cases = new ArrayList<>();
    Expect bad = Expect.validation();
    String first = e.firstField();

    // Malformed JSON.
    for (String invalid : List.of("{\"a\":", "{", "not json", "{'" + first + "':'x'}", "{\"" + first + "\":1,}",
        "{\"" + first + "\" 1}", "\"unterminated", "{\"" + first + "\":\"x}", "{\"a\":NaN}")) {
      cases.add(rawBodyCase(e, "invalid JSON " + invalid, "application/json", base -> utf8(invalid), bad));
    }
    // Not an object.
    cases.add(rawBodyCase(e, "a JSON array holding the object", "application/json", base -> utf8("[" + base + "]"), bad));
    for (String notObject : List.of("[]", "\"text\"", "42", "true", "null")) {
      cases.add(rawBodyCase(e, "JSON " + notObject + " for the object", "application/json", base -> utf8(notObject), bad));
    }
    // Wrong types, field by field.
    for (Field field : e.fields()) {
      for (JsonNode wrong : wrongValues(field)) {
        cases.add(bodyCase(e, "wrong type " + field.name() + "=" + wrong,
            body -> body.set(field.name(), wrong), Expect.validation().field(field.name())));
      }
    }
    // Nulls: all at once, then one by one.
    boolean allOptional = !e.anyRequired();
    cases.add(bodyCase(e, "null for every field", body -> {
      e.fields().forEach(field -> body.set(field.name(), NullNode.instance));
      return body;
    }, allOptional ? bad.orHarmless(harmless(e, null, null)) : bad));
    for (Field field : e.fields()) {
      cases.add(bodyCase(e, "null " + field.name(), body -> body.set(field.name(), NullNode.instance),
          field.required() ? Expect.validation().field(field.name()) : bad.orHarmless(harmless(e, null, null))));
    }
    // Sizes.
    cases.add(rawBodyCase(e, "1 MiB body", "application/json",
        base -> utf8("{\"" + first + "\":\"" + "x".repeat(1 << 20) + "\"}"), Expect.of(413, "VALIDATION")));
    cases.add(new Case(e.label() + " | 1 MiB body, chunked (no Content-Length)", () -> {
      Target t = target(e);
      return new Req(e.method(), t.path(), bearer(t.token()), "application/json",
          utf8("{\"" + first + "\":\"" + "x".repeat(1 << 20) + "\"}"), Map.of(), true);
    }, Expect.of(413, "VALIDATION")));
    for (Field field : e.fields()) {
      if (field.kind().isString()) {
        cases.add(bodyCase(e, "100,000-character " + field.name(), body -> body.put(field.name(), "x".repeat(100_000)),
            new Expect(Set.of(400, 413), Set.of("VALIDATION"), null, null)));
      }
    }
    // SQL metacharacters and a NUL character in every string field.
    for (Field field : e.fields()) {
      if (!field.kind().isString()) {
        continue;
      }
      List<String> payloads = new ArrayList<>(SQL);
      if (field.kind() == Kind.EMAIL) {
        payloads.add("o'hara'--@example.com");
        payloads.add("x' OR '1'='1@example.com");
      }
      for (String sql : payloads) {
        String value = field.kind() == Kind.EMAIL && sql.contains("@") ? sql.replace("@", "-" + shortId() + "@") : sql;
        Expect expect = e.key().equals("login") ? new Expect(Set.of(400, 401), Set.of("VALIDATION", "BAD_CREDENTIALS"), null, null)
            : field.freeText() || (field.kind() == Kind.EMAIL && value.contains("@"))
                ? Expect.any4xx().orHarmless(harmless(e, field.name(), value))
                : Expect.any4xx();
        cases.add(bodyCase(e, "SQL in " + field.name() + ": " + sql, body -> body.put(field.name(), value), expect));
      }
      String nul = field.kind() == Kind.EMAIL ? "nul\u0000byte@example.com" : "nul\u0000byte";
      Expect nulExpect = e.key().equals("login") ? new Expect(Set.of(400, 401), Set.of("VALIDATION", "BAD_CREDENTIALS"), null, null)
          : field.freeText() ? Expect.any4xx().orHarmless(harmless(e, field.name(), nul)) : Expect.any4xx();
      cases.add(bodyCase(e, "NUL character in " + field.name(), body -> body.put(field.name(), nul), nulExpect));
    }
    // Deep nesting inside an object field.
    cases.add(rawBodyCase(e, "arrays nested 10,000 deep in " + first, "application/json",
        base -> utf8("{\"" + first + "\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}"), bad));
    cases.add(rawBodyCase(e, "objects nested 10,000 deep in " + first, "application/json",
        base -> utf8("{\"" + first + "\":" + "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000) + "}"), bad));
    cases.add(rawBodyCase(e, "a number of 60,000 digits in " + first, "application/json",
        base -> utf8("{\"" + first + "\":" + "9".repeat(60_000) + "}"), bad));
    // Content types.
    Expect unsupported = Expect.of(415, "VALIDATION");
    cases.add(rawBodyCase(e, "text/plain body", "text/plain", base -> utf8(base), unsupported));
    cases.add(rawBodyCase(e, "body without Content-Type", null, base -> utf8(base), unsupported));
    cases.add(new Case(e.label() + " | gzip Content-Encoding on a JSON body", () -> {
      Target t = target(e);
      return new Req(e.method(), t.path(), bearer(t.token()), "application/json", gzip(bytes(base(e))),
          Map.of("Content-Encoding", "gzip"), false);
    }, new Expect(Set.of(400, 415), Set.of("VALIDATION"), null, null)));
    cases.add(rawBodyCase(e, "form-encoded body", "application/x-www-form-urlencoded",
        base -> utf8(first + "=x"), unsupported));
    cases.add(rawBodyCase(e, "XML body", "application/xml", base -> utf8("<" + first + ">x</" + first + ">"), unsupported));
    // Invalid UTF-8.
    byte[] open = utf8("{\"" + first + "\":\"");
    byte[] close = utf8("\"}");
    cases.add(rawBodyCase(e, "invalid UTF-8 (0xFF 0xFE) in a string", "application/json",
        base -> concat(open, new byte[] {(byte) 0xff, (byte) 0xfe}, close), bad));
    cases.add(rawBodyCase(e, "invalid UTF-8 (bad continuation 0xC3 0x28) in a string", "application/json",
        base -> concat(open, new byte[] {(byte) 0xc3, (byte) 0x28}, close), bad));
    cases.add(rawBodyCase(e, "invalid UTF-8 (lone continuation 0x80) in a string", "application/json",
        base -> concat(open, new byte[] {(byte) 0x80}, close), bad));
    cases.add(rawBodyCase(e, "invalid UTF-8 byte as a key", "application/json",
        base -> concat(utf8("{"), new byte[] {(byte) 0xff}, utf8(":1}")), bad));
    // Trailing data after the object.
    for (String trailing : List.of(" garbage", "}", " {}", " 1", "[]", "\u0000")) {
      cases.add(rawBodyCase(e, "trailing data " + printable(trailing) + " after the JSON", "application/json",
          base -> utf8(base + trailing), bad));
    }
    cases.add(rawBodyCase(e, "the JSON object twice", "application/json", base -> utf8(base + base), bad));
    // Empty bodies.
    boolean optionalBody = e.body() == BodyKind.OPTIONAL;
    cases.add(rawBodyCase(e, "empty body", "application/json", base -> new byte[0],
        optionalBody ? bad.orHarmless(harmless(e, null, null)) : bad));
    cases.add(rawBodyCase(e, "empty object {}", "application/json", base -> utf8("{}"),
        e.anyRequired() ? bad : bad.orHarmless(harmless(e, null, null))));
    return cases;
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
      zip.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static String printable(String s) {
    return s.replace("\u0000", "\\u0000");
  }

  /** Attacks particular to one endpoint. */
  private static List<Case> specialCases() {
    List<Case> cases = new ArrayList<>();
    Attacked register = endpoint("register");
    // Lower-casing makes this email longer than 254 characters (U+0130 lower-cases to two chars).
    String growing = "a@" + "\u0130".repeat(240) + ".io";
    cases.add(bodyCase(register, "email that grows past 254 chars when lower-cased",
        body -> body.put("email", growing), Expect.any4xx().orHarmless(harmless(register, "email", growing))));
    cases.add(bodyCase(register, "email with a CRLF header injection",
        body -> body.put("email", "a@example.com\r\nBcc: x@example.com"), Expect.validation()));
    cases.add(bodyCase(register, "password of 8 spaces", body -> body.put("password", "        "),
        Expect.validation().orHarmless(harmless(register, "password", "        "))));

    Attacked purchase = endpoint("purchase");
    for (long quantity : List.of(0L, -1L, 2L, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE)) {
      cases.add(bodyCase(purchase, "quantity " + quantity, body -> body.put("quantity", quantity),
          Expect.validation()));
    }
    Map<String, Expect> keys = new LinkedHashMap<>();
    keys.put(SQL_DROP, Expect.validation());
    keys.put("x".repeat(300), Expect.validation());
    keys.put("key with spaces", Expect.validation());
    // Visible ASCII without spaces is a legal (opaque) key: harmless as long as it is never reflected.
    keys.put("<script>alert(1)</script>", Expect.validation().orHarmless(harmless(purchase, null, null)));
    keys.put("'OR'1'='1'--", Expect.validation().orHarmless(harmless(purchase, null, null)));
    keys.forEach((key, expect) -> cases.add(new Case(
        purchase.label() + " | Idempotency-Key " + key.substring(0, Math.min(key.length(), 30)), () -> {
          Target t = target(purchase);
          return new Req("POST", t.path(), bearer(t.token()), "application/json", utf8("{\"quantity\":1}"),
              Map.of("Idempotency-Key", key), false);
        }, expect)));
    // The admin's create and change take the same header, checked with the body's fields.
    for (Attacked admin : List.of(endpoint("createSale"), endpoint("changeSale"))) {
      keys.forEach((key, expect) -> cases.add(new Case(
          admin.label() + " | Idempotency-Key " + key.substring(0, Math.min(key.length(), 30)), () -> {
            Target t = target(admin);
            return new Req(admin.method(), t.path(), bearer(t.token()), "application/json", bytes(base(admin)),
                Map.of("Idempotency-Key", key), false);
          }, key.contains(" ") || key.length() > 200 ? Expect.validation().field("Idempotency-Key")
              : Expect.validation().orHarmless(harmless(admin, null, null)))));
    }

    Attacked createSale = endpoint("createSale");
    for (String price : List.of("99999999999.99", "-1.00", "1e3", "NaN", "0x10", "1.999", " 1.00")) {
      cases.add(bodyCase(createSale, "price " + price, body -> body.put("price", price),
          Expect.validation().field("price")));
    }
    cases.add(bodyCase(createSale, "stock 1,000,001", body -> body.put("stock", 1_000_001), Expect.validation().field("stock")));
    cases.add(bodyCase(createSale, "productId of an unknown product", body -> body.put("productId", UUID.randomUUID().toString()),
        Expect.of(404, "NOT_FOUND")));
    cases.add(bodyCase(createSale, "productId with SQL of 36 chars",
        body -> body.put("productId", "00000000-0000-0000-0000-0' OR '1'='1"), Expect.validation().field("productId")));
    cases.add(bodyCase(createSale, "startsAt after endsAt", body -> body.put("startsAt",
        app.now().plus(Duration.ofDays(2)).toString()), Expect.validation().field("endsAt")));
    cases.add(bodyCase(createSale, "instants at the ends of time (Instant.MIN .. Instant.MAX)", body -> body
        .put("startsAt", Instant.MIN.toString()).put("endsAt", Instant.MAX.toString()),
        Expect.any4xx().orHarmless(r -> {
          harmless(createSale, null, null).accept(r);
          Response list = app.api.get("/api/sales", null);
          assertThat(list.status()).as("GET /api/sales after an extreme sale: %s", list).isEqualTo(200);
          Response stats = app.api.get("/api/admin/sales/" + r.json().get("id").asText() + "/stats", app.adminToken());
          assertThat(stats.status()).as("stats of an extreme sale: %s", stats).isEqualTo(200);
        })));

    Attacked changeSale = endpoint("changeSale");
    cases.add(bodyCase(changeSale, "addStock 0", body -> body.put("addStock", 0), Expect.validation()));
    cases.add(bodyCase(changeSale, "addStock -5", body -> body.put("addStock", -5), Expect.validation()));
    cases.add(bodyCase(changeSale, "addStock " + Integer.MAX_VALUE, body -> body.put("addStock", Integer.MAX_VALUE),
        Expect.validation()));

    Attacked createProduct = endpoint("createProduct");
    for (String url : List.of("javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
        "https://x/\"><script>alert(1)</script>", "JAVASCRIPT:alert(1)", " javascript:alert(1)",
        "vbscript:msgbox(1)", "https://x/\u0000.png")) {
      cases.add(bodyCase(createProduct, "imageUrl " + printable(url), body -> body.put("imageUrl", url),
          Expect.validation().field("imageUrl")));
    }
    // A protocol-relative URL is just another off-site image, as https://evil.example/x.png would be.
    cases.add(bodyCase(createProduct, "imageUrl //evil.example/x.png",
        body -> body.put("imageUrl", "//evil.example/x.png"),
        Expect.validation().orHarmless(harmless(createProduct, "imageUrl", "//evil.example/x.png"))));
    cases.add(bodyCase(createProduct, "price -0.01", body -> body.put("price", "-0.01"), Expect.validation().field("price")));
    return cases;
  }

  private static Attacked endpoint(String key) {
    return attacked().stream().filter(e -> e.key().equals(key)).findFirst().orElseThrow();
  }

  // ---------------------------------------------------------------- path id attacks

  private static String enc(String text) {
    return URLEncoder.encode(text, UTF_8).replace("+", "%20");
  }

  private static List<Case> pathCases(Attacked e) {
    Map<String, String> ids = new LinkedHashMap<>();
    String uuid = UUID.randomUUID().toString();
    ids.put("not-a-uuid", "not-a-uuid");
    ids.put("a UUID with SQL appended", enc(uuid + "' OR 1=1 --"));
    ids.put("SQL as the id", enc(SQL_DROP));
    ids.put("..%2F..%2Fetc%2Fpasswd", "..%2F..%2Fetc%2Fpasswd");
    ids.put("a 10,000-character id", "a".repeat(10_000));
    ids.put("unicode", enc("ünïcødé-☃-𝄞"));
    ids.put("an encoded NUL", "%00");
    ids.put("an encoded CRLF", "%0D%0AX-Injected:%201");
    if (e.pathId() == PathId.ORDER) {
      ids.put("an order id with SQL", enc(uuid + "-1' OR '1'='1"));
      ids.put("an order number 0", uuid + "-0");
      ids.put("an order number of 20 digits", uuid + "-" + "9".repeat(20));
    }
    Expect expect = new Expect(Set.of(400, 404, 414), Set.of("VALIDATION", "NOT_FOUND"), null, null);
    List<Case> cases = new ArrayList<>();
    ids.forEach((name, rawId) -> cases.add(new Case(e.label() + " | path id: " + name, () -> {
      Target t = target(e, rawId);
      byte[] body = e.body() == BodyKind.NONE ? null : bytes(base(e));
      return new Req(e.method(), t.path(), bearer(t.token()), body == null ? null : "application/json", body,
          Map.of(), false);
    }, expect)));
    return cases;
  }

  // ---------------------------------------------------------------- token attacks

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(json));
  }

  private static long futureExp() {
    return app.now().plus(Duration.ofHours(1)).getEpochSecond();
  }

  private static String unsigned(String alg) {
    return b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "."
        + b64("{\"sub\":\"" + UUID.randomUUID() + "\",\"role\":\"admin\",\"exp\":" + futureExp() + "}") + ".";
  }

  private static String signed(String secret, JWTCreator.Builder claims) {
    return claims.sign(Algorithm.HMAC256(secret.getBytes(UTF_8)));
  }

  private static JWTCreator.Builder claims(String role, Instant expires) {
    JWTCreator.Builder builder = JWT.create().withSubject(UUID.randomUUID().toString());
    if (role != null) {
      builder.withClaim("role", role);
    }
    if (expires != null) {
      builder.withExpiresAt(expires);
    }
    return builder;
  }

  /** A valid customer token whose payload is rewritten to role admin, signature kept. */
  private static String tamperedToAdmin() {
    String[] parts = app.newBuyerToken().split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), UTF_8).replace("\"customer\"", "\"admin\"");
    return parts[0] + "." + b64(payload) + "." + parts[2];
  }

  private static List<Case> tokenCases(Attacked e) {
    Map<String, Supplier<String>> headers = new LinkedHashMap<>();
    headers.put("no Authorization header", () -> null);
    headers.put("garbage 'abc' without Bearer", () -> "abc");
    headers.put("Bearer garbage 'abc'", () -> "Bearer abc");
    headers.put("'Bearer' with nothing", () -> "Bearer");
    headers.put("Basic credentials", () -> "Basic " + Base64.getEncoder().encodeToString(utf8("admin:admin")));
    headers.put("Bearer with 5,000 characters", () -> "Bearer " + "a".repeat(5_000));
    headers.put("Bearer three empty parts", () -> "Bearer ..");
    headers.put("alg none, role admin, empty signature", () -> "Bearer " + unsigned("none"));
    headers.put("alg None, role admin, empty signature", () -> "Bearer " + unsigned("None"));
    headers.put("alg HS256 header, role admin, empty signature", () -> "Bearer " + unsigned("HS256"));
    headers.put("HS256 signed with another secret (customer)",
        () -> "Bearer " + signed(OTHER_SECRET, claims("customer", app.now().plusSeconds(3600))));
    headers.put("role admin signed with another secret",
        () -> "Bearer " + signed(OTHER_SECRET, claims("admin", app.now().plusSeconds(3600))));
    headers.put("expired, right secret (customer)",
        () -> "Bearer " + signed(TestNodes.JWT_SECRET, claims("customer", app.now().minusSeconds(60))));
    headers.put("expired, right secret (admin)",
        () -> "Bearer " + signed(TestNodes.JWT_SECRET, claims("admin", app.now().minusSeconds(60))));
    headers.put("right secret, no exp",
        () -> "Bearer " + signed(TestNodes.JWT_SECRET, claims("admin", null)));
    headers.put("right secret, no role",
        () -> "Bearer " + signed(TestNodes.JWT_SECRET, claims(null, app.now().plusSeconds(3600))));
    headers.put("right secret, role superuser",
        () -> "Bearer " + signed(TestNodes.JWT_SECRET, claims("superuser", app.now().plusSeconds(3600))));
    headers.put("customer token with payload rewritten to admin", () -> "Bearer " + tamperedToAdmin());

    List<Case> cases = new ArrayList<>();
    Expect unauthorized = Expect.of(401, "UNAUTHORIZED");
    headers.forEach((name, header) -> cases.add(tokenCase(e, "token: " + name, header, unauthorized)));
    if (e.access() == ADMIN) {
      cases.add(tokenCase(e, "token: a valid customer token on an admin route", () -> "Bearer " + customerToken,
          Expect.of(403, "FORBIDDEN")));
    }
    return cases;
  }

  private static Case tokenCase(Attacked e, String attack, Supplier<String> header, Expect expect) {
    return new Case(e.label() + " | " + attack, () -> {
      Target t = target(e);
      byte[] body = e.body() == BodyKind.NONE ? null : bytes(base(e));
      return new Req(e.method(), t.path(), header.get(), body == null ? null : "application/json", body, Map.of(), false);
    }, expect);
  }

  // ---------------------------------------------------------------- query strings and methods

  private static List<Case> queryCases(Attacked e) {
    Map<String, String> queries = new LinkedHashMap<>();
    queries.put("?status=<script>", "?status=" + enc("<script>alert(1)</script>"));
    queries.put("?limit=-1", "?limit=-1");
    queries.put("?limit=99999999999", "?limit=99999999999");
    queries.put("?limit=0", "?limit=0");
    queries.put("?limit=abc", "?limit=abc");
    queries.put("?after=' OR 1=1", "?after=" + enc("' OR 1=1"));
    queries.put("?after='; DROP TABLE users; --", "?after=" + enc(SQL_DROP));
    queries.put("?status=live&status=<script>", "?status=live&status=" + enc("<script>"));
    queries.put("?status=' OR 1=1 --", "?status=" + enc("' OR 1=1 --"));
    List<Case> cases = new ArrayList<>();
    queries.forEach((name, query) -> {
      Expect expect;
      if (e.key().equals("sales") && name.startsWith("?status=<script>")) {
        expect = Expect.validation();
      } else if (e.key().equals("sales") && name.startsWith("?status='")) {
        expect = Expect.validation();
      } else if ((e.key().equals("orders") || e.key().equals("saleHistory"))
          && (name.startsWith("?limit") || name.startsWith("?after"))) {
        expect = Expect.validation();
      } else {
        expect = Expect.any4xx().orHarmless(noReflection());
      }
      cases.add(new Case(e.label() + " | query " + name, () -> {
        Target t = target(e);
        return new Req("GET", t.path() + query, bearer(t.token()), null, null, Map.of(), false);
      }, expect));
    });
    return cases;
  }

  private static Case wrongMethodCase(Attacked e) {
    return new Case(e.label() + " | wrong method " + e.wrongMethod(), () -> {
      Target t = target(e);
      return new Req(e.wrongMethod(), t.path(), bearer(t.token()), null, null, Map.of(), false);
    }, new Expect(Set.of(404, 405), Set.of("NOT_FOUND", "VALIDATION"), null, null));
  }

  // ---------------------------------------------------------------- the table, crossed

  /** Every attack at every entry; each entry gets cases of its own (fresh emails and ids). */
  static Stream<Arguments> endpointAttacks() {
    return Stream.of(Entry.values())
        .flatMap(entry -> endpointCases().stream().map(c -> Arguments.of(entry, c.name(), c)));
  }

  private static List<Case> endpointCases() {
    List<Case> cases = new ArrayList<>();
    for (Attacked e : attacked()) {
      if (e.body() != BodyKind.NONE) {
        cases.addAll(bodyCases(e));
      }
      if (e.hasId()) {
        cases.addAll(pathCases(e));
      }
      if (e.access() != NONE) {
        cases.addAll(tokenCases(e));
      }
      if (e.method().equals("GET") && !e.hasId()) {
        cases.addAll(queryCases(e));
      }
      cases.add(wrongMethodCase(e));
    }
    cases.addAll(specialCases());
    return cases;
  }

  @Order(0)
  @Test
  void everyEndpointOfTheNodeIsAttacked() {
    List<String> served = app.node.endpoints().stream().map(Endpoint::toString).toList();

    assertThat(KNOWN.keySet()).as("the endpoints HostileInputTest.KNOWN knows, against those the node serves")
        .containsExactlyInAnyOrderElementsOf(served);
  }

  @Order(1)
  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @MethodSource("endpointAttacks")
  void hostileInputGetsACleanAnswer(Entry entry, String name, Case c) {
    Req req = c.request().get();
    Response response = send(entry, req);
    verify(entry + ": " + name, response, c.expect());
  }

  private static final HttpClient CHUNKED_CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private static Response send(Entry entry, Req req) {
    Map<String, String> headers = new HashMap<>(req.headers());
    if (req.authorization() != null) {
      headers.put("Authorization", req.authorization());
    }
    if (!req.chunked()) {
      return entry.api().send(req.method(), req.path(), null, req.contentType(), req.body(), headers);
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(entry.api().baseUrl() + req.path()))
        .timeout(Duration.ofSeconds(30))
        .method(req.method(), HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(req.body())));
    if (req.contentType() != null) {
      builder.header("Content-Type", req.contentType());
    }
    headers.forEach(builder::header);
    try {
      // The server answers an oversized chunked body (413) and closes the connection while the client is
      // still sending; now and then the client sees that as a reset before the answer. Try again then.
      for (int attempt = 1; ; attempt++) {
        try {
          HttpResponse<String> raw = CHUNKED_CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
          return new Response(raw.statusCode(), raw);
        } catch (IOException e) {
          if (attempt == 3) {
            throw new UncheckedIOException(e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String shorten(String text) {
    return text.length() <= 600 ? text : text.substring(0, 600) + "…(" + text.length() + " chars)";
  }

  private static void verify(String name, Response r, Expect expect) {
    String body = r.body();
    String seen = r.status() + " " + r.contentType() + " " + shorten(body);
    for (String leak : LEAKS) {
      assertThat(body).as("%s: the answer leaks '%s': %s", name, leak, seen).doesNotContain(leak);
    }
    if (r.status() >= 200 && r.status() < 300) {
      assertThat(expect.harmless()).as("%s: an attack got a 2xx: %s", name, seen).isNotNull();
      expect.harmless().accept(r);
      return;
    }
    assertThat(r.status()).as("%s: expected a 4xx, got %s", name, seen).isBetween(400, 499);
    assertProblem(name, r.status(), r.contentType(), body);
    JsonNode json = parse(body);
    if (!expect.statuses().isEmpty()) {
      assertThat(r.status()).as("%s: status, got %s", name, seen).isIn(expect.statuses());
    }
    if (!expect.codes().isEmpty()) {
      assertThat(json.path("code").asText()).as("%s: code, got %s", name, seen).isIn(expect.codes());
    }
    if (expect.errorField() != null) {
      List<String> fields = new ArrayList<>();
      json.path("errors").forEach(error -> fields.add(error.path("field").asText()));
      assertThat(fields).as("%s: the invalid field is named, got %s", name, seen).contains(expect.errorField());
    }
  }

  /** A 4xx problem+json: a code from the contract's table, consistent with the status. */
  private static void assertProblem(String name, int status, String contentType, String body) {
    String seen = status + " " + contentType + " " + shorten(body);
    assertThat(contentType).as("%s: Content-Type, got %s", name, seen).startsWith("application/problem+json");
    assertProblemBody(name, status, body, seen);
  }

  /** A problem's body: a JSON object with a code from the contract's table, consistent with {@code status}. */
  private static void assertProblemBody(String name, int status, String body, String seen) {
    JsonNode json = parse(body);
    assertThat(json).as("%s: body is not JSON: %s", name, seen).isNotNull();
    assertThat(json.isObject()).as("%s: body is not an object: %s", name, seen).isTrue();
    String code = json.path("code").asText("");
    assertThat(code).as("%s: code, got %s", name, seen).isNotEmpty();
    assertThat(CODES).as("%s: code %s is not in the contract, got %s", name, code, seen).containsKey(code);
    assertThat(json.path("status").asInt()).as("%s: body status, got %s", name, seen).isEqualTo(status);
    if (!code.equals("VALIDATION")) {
      assertThat(status).as("%s: status of %s, got %s", name, code, seen).isEqualTo(CODES.get(code));
    }
  }

  private static JsonNode parse(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- raw malformed HTTP

  /**
   * How nginx reads a raw request the node refuses: {@code REFUSED}, it refuses it too (itself, or by passing it
   * on to the node), so the expectations are the node's; {@code HTTP_09}, it is an HTTP/0.9 request, answered in
   * HTTP/0.9: the body alone, with no status line or headers, which must still be the problem; {@code TOLERATED},
   * nginx's parser accepts the flaw and sends the node a well-formed request, so the answer is that request's.
   */
  enum ViaNginx { REFUSED, HTTP_09, TOLERATED }

  /** Raw bytes for a fresh connection; a 4xx problem within {@code statuses} (empty: any 4xx) must answer them. */
  record RawCase(String name, byte[] request, Set<Integer> statuses, ViaNginx viaNginx) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** One answer; {@code status} and {@code contentType} are null for an HTTP/0.9 answer (the body alone). */
  record Raw(Integer status, String contentType, String body) {}

  private static final String H = "Host: 127.0.0.1\r\nConnection: close\r\n";

  /** Every malformed request at every entry. */
  static Stream<Arguments> malformedHttp() {
    return Stream.of(Entry.values())
        .flatMap(entry -> malformedRequests().stream().map(request -> Arguments.of(entry, request.name(), request)));
  }

  private static List<RawCase> malformedRequests() {
    List<RawCase> requests = new ArrayList<>();
    Set<Integer> only400 = Set.of(400);
    Set<Integer> any = Set.of();
    requests.add(raw("a raw | in the query", utf8("GET /api/sales?x=a|b HTTP/1.1\r\nHost: x\r\n\r\n"), only400));
    requests.add(raw("a control character in the request line",
        utf8("GET /api/sa\u0001les HTTP/1.1\r\n" + H + "\r\n"), only400));
    requests.add(raw("< and > in the path", utf8("GET /api/<sales> HTTP/1.1\r\n" + H + "\r\n"), only400));
    requests.add(raw("a raw <script> in the query",
        utf8("GET /api/sales?status=<script>alert(1)</script> HTTP/1.1\r\n" + H + "\r\n"), only400));
    requests.add(raw("raw quotes and spaces in the query",
        utf8("GET /api/orders?after=' OR 1=1 HTTP/1.1\r\n" + H + "\r\n"), only400));
    requests.add(raw("a raw backslash and braces in the path",
        utf8("GET /api/sales/{..\\..\\} HTTP/1.1\r\n" + H + "\r\n"), only400));
    requests.add(raw("a bad percent-encoding in the path", utf8("GET /api/sales/%zz HTTP/1.1\r\n" + H + "\r\n"),
        only400));
    requests.add(raw("a bad percent-encoding in the query",
        utf8("GET /api/sales?status=%E0%A4%A HTTP/1.1\r\n" + H + "\r\n"), only400));
    requests.add(raw("raw UTF-8 bytes in the path",
        concat(utf8("GET /api/sales/"), new byte[] {(byte) 0xc3, (byte) 0xbc}, utf8(" HTTP/1.1\r\n" + H + "\r\n")), any));
    requests.add(raw("an invalid UTF-8 byte in the path",
        concat(utf8("GET /api/sales/"), new byte[] {(byte) 0xff}, utf8(" HTTP/1.1\r\n" + H + "\r\n")), any));
    requests.add(raw("an unknown method", utf8("FOO /api/sales HTTP/1.1\r\n" + H + "\r\n"), any));
    requests.add(raw("an unsupported HTTP version", utf8("GET /api/sales HTTP/9.9\r\n" + H + "\r\n"), any));
    // (longer than max-method-length, else the parser rightly waits for the rest of the method)
    requests.add(raw("a garbage request line", utf8("THIS-IS-NOT-HTTP-AT-ALL\r\n\r\n"), any));
    requests.add(raw("a garbage request line with spaces", utf8("HELLO WORLD\r\n\r\n"), any));
    requests.add(new RawCase("a request line without a version", utf8("GET /api/sales\r\n\r\n"), any,
        ViaNginx.HTTP_09));
    requests.add(raw("a TLS ClientHello on the plain port", new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5,
        0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03, 0x00, 0x01, 0x02, 0x03, 0x0d, 0x0a, 0x0d, 0x0a}, any));
    // nginx takes "NoColonHere" for a header with an empty value, and sends it on well-formed.
    requests.add(new RawCase("a header line without a colon",
        utf8("GET /api/sales HTTP/1.1\r\n" + H + "NoColonHere\r\n\r\n"), any, ViaNginx.TOLERATED));
    requests.add(raw("a missing Host header", utf8("GET /api/sales HTTP/1.1\r\nConnection: close\r\n\r\n"), any));
    requests.add(raw("a 20,000-character header value",
        utf8("GET /api/sales HTTP/1.1\r\n" + H + "X-Big: " + "x".repeat(20_000) + "\r\n\r\n"), any));
    requests.add(raw("a 20,000-character token",
        utf8("GET /api/me HTTP/1.1\r\n" + H + "Authorization: Bearer " + "x".repeat(20_000) + "\r\n\r\n"), any));
    requests.add(raw("a negative Content-Length", utf8("POST /api/auth/login HTTP/1.1\r\n" + H
        + "Content-Type: application/json\r\nContent-Length: -1\r\n\r\n{}"), any));
    requests.add(raw("a non-numeric Content-Length", utf8("POST /api/auth/login HTTP/1.1\r\n" + H
        + "Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}"), any));
    requests.add(raw("Content-Length and Transfer-Encoding together", utf8("POST /api/auth/login HTTP/1.1\r\n"
        + H + "Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
        any));
    requests.add(raw("an unsupported Transfer-Encoding", utf8("POST /api/auth/login HTTP/1.1\r\n" + H
        + "Content-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{}"), any));
    requests.add(raw("a malformed chunk size", utf8("POST /api/auth/login HTTP/1.1\r\n" + H
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), any));
    // Within the 64 KiB bound, but its framing fills nginx's body buffer, so nginx keeps it in a temporary file.
    requests.add(raw("a 30,000-byte body in one-byte chunks", utf8("POST /api/auth/register HTTP/1.1\r\n" + H
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + oneByteChunks("{\"email\":\"not-an-email\",\"password\":\"password-123\",\"name\":\"Chunks\"}"
            + " ".repeat(30_000))), only400));
    requests.add(raw("a 10 GB Content-Length", utf8("POST /api/auth/login HTTP/1.1\r\n" + H
        + "Content-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{}"), Set.of(413)));
    requests.add(raw("a Content-Length beyond a long", utf8("POST /api/auth/login HTTP/1.1\r\n" + H
        + "Content-Type: application/json\r\nContent-Length: 99999999999999999999999\r\n\r\n{}"), any));
    return requests;
  }

  private static RawCase raw(String name, byte[] request, Set<Integer> statuses) {
    return new RawCase(name, request, statuses, ViaNginx.REFUSED);
  }

  /** {@code body} as a chunked body of one-byte chunks, with its last chunk. */
  private static String oneByteChunks(String body) {
    StringBuilder chunks = new StringBuilder();
    body.chars().forEach(c -> chunks.append("1\r\n").append((char) c).append("\r\n"));
    return chunks.append("0\r\n\r\n").toString();
  }

  @Order(2)
  @ParameterizedTest(name = "[{index}] {0}: raw HTTP: {1}")
  @MethodSource("malformedHttp")
  void malformedHttpGetsAProblem(Entry entry, String attack, RawCase c) throws IOException {
    String name = entry + ": " + attack;
    Raw r = rawExchange(entry.port(), c.request());
    String seen = (r.status() == null ? "(HTTP/0.9, the body alone)" : r.status() + " " + r.contentType()) + " "
        + shorten(r.body());
    for (String leak : LEAKS) {
      assertThat(r.body()).as("%s: the answer leaks '%s': %s", name, leak, seen).doesNotContain(leak);
    }
    ViaNginx via = entry == Entry.NGINX ? c.viaNginx() : ViaNginx.REFUSED;
    if (via == ViaNginx.TOLERATED) {
      // What nginx sent on is a well-formed GET of the public list: the answer is that GET's, nothing else.
      Response clean = viaNginx.get("/api/sales", null);
      assertThat(r.status()).as("%s: status, got %s", name, seen).isEqualTo(clean.status()).isEqualTo(200);
      assertThat(r.contentType()).as("%s: Content-Type, got %s", name, seen).isEqualTo(clean.contentType());
      assertThat(parse(r.body())).as("%s: the answer of a clean GET, got %s", name, seen).isEqualTo(clean.json());
      return;
    }
    int status;
    if (via == ViaNginx.HTTP_09) {
      assertThat(r.status()).as("%s: an HTTP/0.9 answer, got %s", name, seen).isNull();
      JsonNode json = parse(r.body());
      assertThat(json).as("%s: body is not JSON: %s", name, seen).isNotNull();
      status = json.path("status").asInt();
    } else {
      assertThat(r.status()).as("%s: no status line: %s", name, seen).isNotNull();
      status = r.status();
      assertThat(r.contentType()).as("%s: Content-Type, got %s", name, seen).startsWith("application/problem+json");
    }
    assertThat(status).as("%s: expected a 4xx, got %s", name, seen).isBetween(400, 499);
    if (!c.statuses().isEmpty()) {
      assertThat(status).as("%s: status, got %s", name, seen).isIn(c.statuses());
    }
    assertProblemBody(name, status, r.body(), seen);
  }

  /**
   * Writes raw bytes on a fresh connection and reads one answer: HTTP/1.1, or HTTP/0.9 (the body alone, up to
   * the close) where a request without a version was answered in kind.
   */
  private static Raw rawExchange(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      try {
        out.write(request);
        out.flush();
      } catch (IOException closedEarly) {
        // the server may answer and close before reading everything; read what it said
      }
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1) {
        head.write(b);
        byte[] h = head.toByteArray();
        int n = h.length;
        if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
          break;
        }
      }
      String headText = head.toString(UTF_8);
      assertThat(headText).as("no answer at all").isNotEmpty();
      if (!headText.startsWith("HTTP/")) {
        return new Raw(null, null, headText + new String(in.readAllBytes(), UTF_8));
      }
      assertThat(headText).as("an answer in another version than HTTP/1.1").startsWith("HTTP/1.1 ");
      String[] lines = headText.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      String contentType = null;
      int length = -1;
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        if (header.equals("content-type")) {
          contentType = value;
        } else if (header.equals("content-length")) {
          length = Integer.parseInt(value);
        }
      }
      byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
      return new Raw(status, contentType, new String(body, UTF_8));
    }
  }

  // ---------------------------------------------------------------- afterwards

  @Order(3)
  @Test
  void everyTableSurvivedTheAttacks() {
    tablesIntact();
    Response sales = app.api.get("/api/sales", null);
    assertThat(sales.status()).as("%s", sales).isEqualTo(200);
    Response me = app.api.get("/api/me", customerToken);
    assertThat(me.status()).as("%s", me).isEqualTo(200);
    assertThat(me.json().get("email").asText()).isEqualTo(LOGIN_EMAIL);
    Response stats = app.api.get("/api/admin/sales/" + cancelSaleId + "/stats", app.adminToken());
    assertThat(stats.status()).as("%s", stats).isEqualTo(200);
    Response cancelled = app.api.get("/api/sales/" + cancelSaleId, null);
    assertThat(cancelled.json().get("status").asText()).as("no forged token cancelled the sale").isNotEqualTo("CANCELLED");
  }
}
