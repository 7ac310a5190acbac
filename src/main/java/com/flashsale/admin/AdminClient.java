package com.flashsale.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The HTTP API as the command line uses it (java.net.http): JSON in and out, the bearer token when there
 * is one. Every way a call can fail becomes an {@link AdminFailure}: a problem+json answer, another
 * error answer, or no answer at all.
 */
final class AdminClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(CONNECT_TIMEOUT)
      .build();
  private final URI server;
  private final String token;

  /** {@code token} may be null for the public reads and the login. */
  AdminClient(URI server, String token) {
    this.server = server;
    this.token = token;
  }

  URI server() {
    return server;
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  /** POSTs {@code body} as JSON, or nothing when it is null. */
  JsonNode post(String path, Object body) {
    return send("POST", path, body);
  }

  JsonNode patch(String path, Object body) {
    return send("PATCH", path, body);
  }

  private JsonNode send(String method, String path, Object body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(json(body)));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = exchange(request.build());
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      try {
        return JsonText.parse(response.body());
      } catch (JsonProcessingException e) {
        throw new AdminFailure(server + " answered " + method + " " + path + " with something that is not JSON:"
            + " is it the FlashSale API?");
      }
    }
    throw failure(status, response);
  }

  private HttpResponse<String> exchange(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw AdminFailure.unreachable(server.toString(), "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
    } catch (HttpTimeoutException e) {
      throw new AdminFailure("no answer from " + server + " within " + REQUEST_TIMEOUT.toSeconds()
          + " s; the change may or may not have been made: check before repeating it");
    } catch (ConnectException e) {
      boolean unknownHost = e.getCause() instanceof UnresolvedAddressException;
      throw AdminFailure.unreachable(server.toString(), unknownHost ? "unknown host" : "connection refused");
    } catch (IOException e) {
      throw AdminFailure.unreachable(server.toString(), e.getMessage() != null ? e.getMessage() : e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminFailure("interrupted while waiting for " + server);
    }
  }

  private AdminFailure failure(int status, HttpResponse<String> response) {
    return ApiProblem.parse(status, response.body())
        .map(problem -> {
          String hint = "";
          if (problem.status() == 401 && "UNAUTHORIZED".equals(problem.code())) {
            hint = System.lineSeparator() + "  log in again: flashsale admin login --email <admin email>";
          }
          String retry = response.headers().firstValue("Retry-After").map(s -> " (retry after " + s + " s)").orElse("");
          return new AdminFailure(problem.describe() + retry + hint);
        })
        .orElseGet(() -> new AdminFailure(server + " answered HTTP " + status + " without a problem description:"
            + " is it the FlashSale API?"));
  }

  private static byte[] json(Object body) {
    try {
      return JsonText.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("An unserialisable request body", e);
    }
  }
}
