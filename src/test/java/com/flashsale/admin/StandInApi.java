package com.flashsale.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the API on 127.0.0.1 (com.sun.net.httpserver): every request is recorded, and a script
 * says how to answer the n-th one (from 1), which may be to pass it on to a real node.
 */
final class StandInApi implements AutoCloseable {

  /** A request as it arrived. */
  record Request(String method, String path, String idempotencyKey, String authorization, String contentType,
                 String body, long receivedNanos) {
  }

  /** An answer to give; {@link #NONE} closes the connection without one. */
  record Answer(int status, Map<String, String> headers, String body) {
  }

  static final Answer NONE = new Answer(0, Map.of(), "");

  @FunctionalInterface
  interface Script {
    Answer answer(int n, Request request) throws IOException, InterruptedException;
  }

  /** The 503 the API gives when it sheds load. */
  static Answer overloaded() {
    return new Answer(503, Map.of("Content-Type", "application/problem+json", "Retry-After", "1"),
        "{\"type\":\"about:blank\",\"title\":\"Service overloaded\",\"status\":503,\"code\":\"OVERLOADED\","
            + "\"detail\":\"retry\"}");
  }

  static Answer json(int status, String body) {
    return new Answer(status, Map.of("Content-Type", "application/json"), body);
  }

  /** A sale as openapi.yaml's Sale schema has it. */
  static String saleJson(String id, int stock) {
    return "{\"id\":\"" + id + "\",\"product\":{\"id\":\"5b0c3f7e-2f43-4a53-9d0c-52a8b4a7f0a1\",\"name\":\"Sneakers\","
        + "\"description\":\"Limited run\",\"imageUrl\":null},\"price\":\"99.90\",\"stock\":" + stock + ","
        + "\"available\":" + stock + ",\"status\":\"UPCOMING\",\"startsAt\":\"2030-01-01T10:00:00Z\","
        + "\"endsAt\":\"2030-01-01T12:00:00Z\",\"perUserLimit\":1,\"holdSeconds\":300}";
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private static final HttpClient FORWARDER = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private StandInApi(Script script) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
            exchange.getRequestHeaders().getFirst("Idempotency-Key"),
            exchange.getRequestHeaders().getFirst("Authorization"),
            exchange.getRequestHeaders().getFirst("Content-Type"),
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), System.nanoTime());
        requests.add(request);
        Answer answer;
        try {
          answer = script.answer(requests.size(), request);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        if (answer == NONE) {
          // No answer: an exception out of the handler makes the server drop the connection.
          throw new IOException("the stand-in answers nothing");
        }
        respond(exchange, answer);
      }
    });
    server.start();
  }

  static StandInApi start(Script script) throws IOException {
    return new StandInApi(script);
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Sends {@code request} on to {@code baseUrl} as it came and gives back the real answer. */
  static Answer forward(String baseUrl, Request request) throws IOException, InterruptedException {
    HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(baseUrl + request.path()))
        .method(request.method(), request.body().isEmpty() ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(request.body()));
    if (request.idempotencyKey() != null) {
      out.header("Idempotency-Key", request.idempotencyKey());
    }
    if (request.authorization() != null) {
      out.header("Authorization", request.authorization());
    }
    if (request.contentType() != null) {
      out.header("Content-Type", request.contentType());
    }
    HttpResponse<String> response = FORWARDER.send(out.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(),
        Map.of("Content-Type", response.headers().firstValue("Content-Type").orElse("application/json")),
        response.body());
  }

  private static void respond(HttpExchange exchange, Answer answer) throws IOException {
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
