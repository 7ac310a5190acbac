package flashsale.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin's side of a simulation's setup, over plain {@code java.net.http} (it runs in {@code before()},
 * outside Gatling's engine, and is not measured): log in, create a product and sales. Talks to the first base
 * URL. The admin token it obtains is also handed to the Gatling chains that act as the admin.
 */
public final class AdminApi {

  private final String baseUrl;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private volatile String token;

  public AdminApi(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public static AdminApi forFirstBaseUrl() {
    return new AdminApi(Params.baseUrls().get(0));
  }

  /** The admin's bearer token; {@link #login()} must have run (it does in every simulation's {@code before()}). */
  public String token() {
    if (token == null) {
      throw new IllegalStateException("The admin has not logged in");
    }
    return token;
  }

  /** Logs in with {@code -DadminEmail}/{@code -DadminPassword}; waits up to 30 s for a service still starting. */
  public AdminApi login() {
    Instant deadline = Instant.now().plusSeconds(30);
    while (true) {
      try {
        JsonNode answer = send("POST", "/api/auth/login",
            Map.of("email", Params.adminEmail(), "password", Params.adminPassword()), 200);
        token = answer.path("token").asText();
        return this;
      } catch (IOException e) {
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("Cannot reach " + baseUrl + ": " + e, e);
        }
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  public String createProduct(String name, String price) {
    return call("POST", "/api/admin/products",
        Map.of("name", name, "description", "Created by a Gatling simulation", "price", price), 201)
        .path("id").asText();
  }

  /** Creates a sale of {@code stock} units, one per buyer; answers its id. */
  public String createSale(String productId, int stock, Instant startsAt, Instant endsAt, int holdSeconds) {
    return createSale(productId, stock, startsAt, endsAt, holdSeconds, null);
  }

  /**
   * {@link #createSale(String, int, Instant, Instant, int)} with a waiting room: {@code waitingRoom} is the
   * body's {@code waitingRoom} object ({@code prequeueOpensAt}, {@code difficulty}, {@code admissionRate} …), or
   * null for none.
   */
  public String createSale(String productId, int stock, Instant startsAt, Instant endsAt, int holdSeconds,
      Map<String, Object> waitingRoom) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("productId", productId);
    body.put("stock", stock);
    body.put("startsAt", startsAt.toString());
    body.put("endsAt", endsAt.toString());
    body.put("perUserLimit", 1);
    body.put("holdSeconds", holdSeconds);
    if (waitingRoom != null) {
      body.put("waitingRoom", waitingRoom);
    }
    return call("POST", "/api/admin/sales", body, 201).path("id").asText();
  }

  /** Moves the start of a sale that has not started yet ({@code PATCH /api/admin/sales/{id}}). */
  public void moveStart(String saleId, Instant startsAt) {
    call("PATCH", "/api/admin/sales/" + saleId, Map.of("startsAt", startsAt.toString()), 200);
  }

  private JsonNode call(String method, String path, Object body, int expectedStatus) {
    try {
      return send(method, path, body, expectedStatus);
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + baseUrl + path + " failed: " + e, e);
    }
  }

  private JsonNode send(String method, String path, Object body, int expectedStatus) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(Json.write(body)));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() != expectedStatus) {
      throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + " (expected "
          + expectedStatus + "): " + response.body());
    }
    return Json.read(response.body());
  }

  /** Sleeps until {@code instant}; used to start the injection right when a sale opens. */
  public static void sleepUntil(Instant instant) {
    Duration left = Duration.between(Instant.now(), instant);
    if (!left.isNegative()) {
      sleep(left);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
