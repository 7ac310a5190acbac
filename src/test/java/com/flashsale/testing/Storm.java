package com.flashsale.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A purchase storm through HTTP: {@code attempts} purchase requests for one sale, spread round-robin
 * over buyers and nodes, at most {@code concurrency} in flight. Records every answer.
 */
public final class Storm {

  /** One purchase attempt's answer: the order id for 200/201, the problem code otherwise. */
  public record Attempt(String buyer, int status, String orderId, String code, long nanos) {}

  public record Result(List<Attempt> attempts, long elapsedNanos) {

    public long count(int status) {
      return attempts.stream().filter(a -> a.status() == status).count();
    }

    public Map<String, Long> outcomes() {
      return attempts.stream().collect(Collectors.groupingBy(
          a -> a.status() + (a.code() != null ? " " + a.code() : ""), TreeMap::new, Collectors.counting()));
    }

    public double attemptsPerSecond() {
      return attempts.size() / (elapsedNanos / 1e9);
    }

    /** Latency percentile in milliseconds, e.g. {@code latencyMillis(0.99)}. */
    public double latencyMillis(double quantile) {
      long[] sorted = attempts.stream().mapToLong(Attempt::nanos).sorted().toArray();
      int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }

    public String summary() {
      return String.format("%d attempts in %.2f s = %.0f attempts/s; p50 %.1f ms, p99 %.1f ms, max %.1f ms; %s",
          attempts.size(), elapsedNanos / 1e9, attemptsPerSecond(), latencyMillis(0.50), latencyMillis(0.99),
          latencyMillis(1.0), outcomes());
    }
  }

  private Storm() {}

  /**
   * @param buyerTokens attempt {@code i} is made by buyer {@code i % size} on node {@code i % nodes}
   * @param buyerOf maps a token back to its buyer id for the record
   */
  public static Result run(List<ApiClient> nodes, String saleId, List<String> buyerTokens,
      Function<String, String> buyerOf, int attempts, int concurrency) {
    Semaphore inFlight = new Semaphore(concurrency);
    List<Attempt> results = Collections.synchronizedList(new ArrayList<>(attempts));
    List<CompletableFuture<Void>> all = new ArrayList<>(attempts);
    long start = System.nanoTime();
    for (int i = 0; i < attempts; i++) {
      String token = buyerTokens.get(i % buyerTokens.size());
      ApiClient node = nodes.get(i % nodes.size());
      inFlight.acquireUninterruptibly();
      long sent = System.nanoTime();
      all.add(node.sendAsync("POST", "/api/sales/" + saleId + "/purchase", token, null, null, Map.of())
          .handle((response, failure) -> {
            inFlight.release();
            long nanos = System.nanoTime() - sent;
            if (failure != null) {
              results.add(new Attempt(buyerOf.apply(token), -1, null, failure.getClass().getSimpleName(), nanos));
            } else {
              results.add(attempt(buyerOf.apply(token), response, nanos));
            }
            return null;
          }));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    return new Result(List.copyOf(results), System.nanoTime() - start);
  }

  private static Attempt attempt(String buyer, ApiClient.Response response, long nanos) {
    try {
      JsonNode body = Json.MAPPER.readTree(response.body());
      boolean order = response.status() == 200 || response.status() == 201;
      return new Attempt(buyer, response.status(), order ? body.path("id").asText(null) : null,
          order ? null : body.path("code").asText(null), nanos);
    } catch (Exception e) {
      return new Attempt(buyer, response.status(), null, "UNPARSEABLE", nanos);
    }
  }

  public static List<Integer> statuses(Result result) {
    return result.attempts().stream().map(Attempt::status).distinct().sorted().toList();
  }
}
