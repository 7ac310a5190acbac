package com.flashsale.sale;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.FlashSaleFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node holds at most so many event streams, per client address and in all; beyond, 503 OVERLOADED at once,
 * and a stream its client closes gives its place back.
 */
class SaleEventStreamLimitTest {

  static final int PER_CLIENT = 2;
  static final int PER_NODE = 3;

  static FlashSaleFixture app;
  static String saleId;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<HttpResponse<InputStream>> open = new ArrayList<>();

  @BeforeAll
  static void start() {
    // A short heartbeat: a node learns that a client went only when a write to it fails.
    app = FlashSaleFixture.start("sale-event-limits", Map.of(
        "flashsale.live-view.sse.heartbeat", "300ms",
        "flashsale.live-view.sse.max-streams", PER_NODE,
        "flashsale.live-view.sse.max-streams-per-client", PER_CLIENT));
    saleId = app.createSaleId(Map.of("stock", 5));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @AfterEach
  void closeStreams() throws IOException {
    for (HttpResponse<InputStream> stream : open) {
      stream.body().close();
    }
  }

  /** Opens a stream as {@code client} (X-Real-IP, believed from loopback); an open one stays in {@link #open}. */
  private HttpResponse<InputStream> stream(String client) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(app.api.baseUrl() + "/api/sales/" + saleId + "/events"))
        .header("Accept", "text/event-stream").header("X-Real-IP", client).build();
    try {
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() == 200) {
        open.add(response);
      }
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String body(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void boundsStreamsPerClientAndPerNodeAndGivesAClosedStreamsPlaceBack() throws IOException {
    HttpResponse<InputStream> first = stream("198.51.100.1");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(stream("198.51.100.1").statusCode()).isEqualTo(200);

    HttpResponse<InputStream> third = stream("198.51.100.1");
    assertThat(third.statusCode()).as("the client's third stream").isEqualTo(503);
    assertThat(third.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(third.headers().firstValue("Retry-After")).isPresent();
    assertThat(body(third)).contains("\"code\":\"OVERLOADED\"");

    assertThat(stream("198.51.100.2").statusCode()).as("another client").isEqualTo(200);
    HttpResponse<InputStream> overNode = stream("198.51.100.3");
    assertThat(overNode.statusCode()).as("the node's fourth stream").isEqualTo(503);
    body(overNode);

    first.body().close();
    open.remove(first);
    eventually(Duration.ofSeconds(10), () -> {
      HttpResponse<InputStream> again = stream("198.51.100.3");
      if (again.statusCode() != 200) {
        body(again);
      }
      assertThat(again.statusCode()).as("a place freed by a closed stream").isEqualTo(200);
    });
  }
}
