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
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.UUID;
import javax.net.ssl.SSLException;

/**
 * The HTTP API as the command line uses it (java.net.http): JSON in and out, the bearer token when there
 * is one. Every way a call can fail becomes an {@link AdminFailure}: a problem+json answer, another
 * error answer, or no answer at all.
 *
 * <p>A sale change ({@link #postOnce}, {@link #patchOnce}) carries an {@code Idempotency-Key} made for
 * that one call, and after a 503 or no answer at all it is sent again with the same key and body (up to
 * {@link #ATTEMPTS} in all), so the API applies it at most once however many of the attempts reached it.
 */
final class AdminClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** Attempts of a sale change in all: the first and at most two retries with the same key. */
  static final int ATTEMPTS = 3;
  /** The wait before a retry when there was no answer, or no usable Retry-After. */
  static final Duration RETRY_WAIT = Duration.ofSeconds(1);
  /** A longer Retry-After is cut to this: an admin at a terminal waits seconds, not minutes. */
  static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(5);

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

  /**
   * POSTs a sale change (create, cancel) with a fresh Idempotency-Key, retried with that key after a 503
   * or no answer. The API's cancel is idempotent without the key; it is sent all the same.
   */
  JsonNode postOnce(String path, Object body) {
    return sendOnce("POST", path, body);
  }

  /** PATCHes a sale change (move, add stock) as {@link #postOnce} does. */
  JsonNode patchOnce(String path, Object body) {
    return sendOnce("PATCH", path, body);
  }

  private JsonNode send(String method, String path, Object body) {
    HttpResponse<String> response;
    try {
      response = exchange(request(method, path, body, null));
    } catch (NoAnswer noAnswer) {
      throw noAnswer.timedOut
          ? new AdminFailure("no answer from " + server + " " + noAnswer.describe()
              + "; the change may or may not have been made: check before repeating it")
          : AdminFailure.unreachable(server.toString(), noAnswer.reason);
    }
    return answer(method, path, response);
  }

  /**
   * One change, one key: every attempt sends the same request. A 503 is retried after its Retry-After
   * (at most {@link #MAX_RETRY_WAIT}; {@link #RETRY_WAIT} without one), no answer (a request timeout, a
   * connection closed or reset) after {@link #RETRY_WAIT}. A refused connection or an unknown host is not
   * retried: the request never left. Any other answer is final.
   */
  private JsonNode sendOnce(String method, String path, Object body) {
    HttpRequest request = request(method, path, body, UUID.randomUUID().toString());
    for (int attempt = 1; ; attempt++) {
      boolean last = attempt == ATTEMPTS;
      Duration wait;
      try {
        HttpResponse<String> response = exchange(request);
        if (response.statusCode() != 503) {
          return answer(method, path, response);
        }
        if (last) {
          throw new AdminFailure(failure(503, response).getMessage() + GAVE_UP);
        }
        wait = retryAfter(response);
      } catch (NoAnswer noAnswer) {
        if (last) {
          throw new AdminFailure("no answer from " + server + " " + noAnswer.describe() + GAVE_UP);
        }
        wait = RETRY_WAIT;
      }
      pause(wait);
    }
  }

  private static final String GAVE_UP = System.lineSeparator() + "  sent " + ATTEMPTS + " times with the same"
      + " Idempotency-Key: the change may or may not have been made (never twice); check before running the"
      + " command again, which would make a new change";

  /** The wait a 503 asks for: its Retry-After in seconds (or as a date), bounded; else {@link #RETRY_WAIT}. */
  static Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").map(String::strip).orElse("");
    Duration wait;
    if (value.matches("\\d{1,9}")) {
      wait = Duration.ofSeconds(Long.parseLong(value));
    } else {
      try {
        wait = Duration.between(Instant.now(),
            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (DateTimeParseException notADate) {
        return RETRY_WAIT;
      }
    }
    return wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_RETRY_WAIT) > 0 ? MAX_RETRY_WAIT : wait;
  }

  private void pause(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminFailure("interrupted while waiting to retry " + server);
    }
  }

  private HttpRequest request(String method, String path, Object body, String idempotencyKey) {
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
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    return request.build();
  }

  /** The JSON of a 2xx answer; any other answer becomes the failure it describes. */
  private JsonNode answer(String method, String path, HttpResponse<String> response) {
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

  /**
   * One attempt. Throws {@link NoAnswer} when the request may have reached the server but no answer came
   * back, and {@link AdminFailure} when it cannot have (no connection, unknown host, TLS refused).
   */
  private HttpResponse<String> exchange(HttpRequest request) throws NoAnswer {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw AdminFailure.unreachable(server.toString(), "no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
    } catch (HttpTimeoutException e) {
      throw new NoAnswer(true, "within " + REQUEST_TIMEOUT.toSeconds() + " s");
    } catch (ConnectException e) {
      boolean unknownHost = e.getCause() instanceof UnresolvedAddressException;
      throw AdminFailure.unreachable(server.toString(), unknownHost ? "unknown host" : "connection refused");
    } catch (SSLException e) {
      throw AdminFailure.unreachable(server.toString(), e.getMessage() != null ? e.getMessage() : e.toString());
    } catch (IOException e) {
      throw new NoAnswer(false, e.getMessage() != null ? e.getMessage() : e.toString());
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

  /** The request went out (or may have) and no answer came back: it may or may not have been acted on. */
  private static final class NoAnswer extends Exception {
    final boolean timedOut;
    final String reason;

    NoAnswer(boolean timedOut, String reason) {
      super(reason, null, false, false);
      this.timedOut = timedOut;
      this.reason = reason;
    }

    String describe() {
      return timedOut ? reason : "(" + reason + ")";
    }
  }

  private static byte[] json(Object body) {
    try {
      return JsonText.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("An unserialisable request body", e);
    }
  }
}
