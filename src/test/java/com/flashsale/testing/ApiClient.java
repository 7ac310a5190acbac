package com.flashsale.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A small HTTP client for tests: sends JSON (or raw bytes) and reads status, headers and body. */
public final class ApiClient {

  /** An answer; {@link #json()} parses the body. */
  public record Response(int status, HttpResponse<String> raw) {

    public String body() {
      return raw.body();
    }

    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(raw.body());
      } catch (IOException e) {
        throw new UncheckedIOException("Not JSON: " + raw.body(), e);
      }
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }

    public String code() {
      return json().path("code").asText(null);
    }

    @Override
    public String toString() {
      return status + " " + raw.body();
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final String baseUrl;

  public ApiClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  public static ApiClient forPort(int port) {
    return new ApiClient("http://127.0.0.1:" + port);
  }

  public String baseUrl() {
    return baseUrl;
  }

  public CompletableFuture<Response> sendAsync(String method, String path, String token, String contentType,
      byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> new Response(response.statusCode(), response));
  }

  /**
   * Sends and waits. A request that dies on a reused keep-alive connection the server had just closed
   * (an I/O error before any answer) is sent once more: the calls tests make this way are idempotent.
   */
  public Response send(String method, String path, String token, String contentType, byte[] body,
      Map<String, String> headers) {
    try {
      return sendAsync(method, path, token, contentType, body, headers).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (!(e.getCause() instanceof IOException)) {
        throw e;
      }
      return sendAsync(method, path, token, contentType, body, headers).join();
    }
  }

  /** Sends {@code body} (any object, or null for none) as JSON. */
  public Response json(String method, String path, String token, Object body) {
    return send(method, path, token, body == null ? null : "application/json", body == null ? null : Json.bytes(body),
        Map.of());
  }

  public Response get(String path, String token) {
    return json("GET", path, token, null);
  }

  public Response post(String path, String token, Object body) {
    return json("POST", path, token, body);
  }

  public Response patch(String path, String token, Object body) {
    return json("PATCH", path, token, body);
  }

  public Response put(String path, String token, Object body) {
    return json("PUT", path, token, body);
  }

  public Response delete(String path, String token) {
    return json("DELETE", path, token, null);
  }
}
