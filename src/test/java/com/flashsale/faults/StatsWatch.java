package com.flashsale.faults;

import com.flashsale.testing.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a sale's stats (GET /api/admin/sales/{id}/stats, through nginx) every {@code every} while a scenario
 * runs, and checks each answer: {@code available + reserved + confirmed == stock}, nothing below zero (so never
 * more sold than the stock). A 503 is skipped (the entity could not answer in time: expected while PostgreSQL is
 * down), as is a request that got no HTTP answer at all; any other answer but 200 is a failure, and so is an
 * error answer that is not application/problem+json.
 */
final class StatsWatch implements AutoCloseable {

  private final ApiClient api;
  private final String adminToken;
  private final String saleId;
  private final Duration every;
  private final Thread thread;
  private volatile boolean running = true;

  final AtomicInteger reads = new AtomicInteger();
  final AtomicInteger answered200 = new AtomicInteger();
  final AtomicInteger answered503 = new AtomicInteger();
  final AtomicInteger noAnswer = new AtomicInteger();
  /** Reads that broke a rule, each with what was read. */
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private volatile SaleStats last;
  private volatile int mostSold;
  private volatile int mostCountedTwice;

  StatsWatch(ApiClient api, String adminToken, String saleId, Duration every) {
    this.api = api;
    this.adminToken = adminToken;
    this.saleId = saleId;
    this.every = every;
    this.thread = new Thread(this::watch, "stats-watch-" + saleId);
    thread.setDaemon(true);
    thread.start();
  }

  private void watch() {
    while (running) {
      long start = System.nanoTime();
      readOnce();
      long rest = every.toNanos() - (System.nanoTime() - start);
      if (rest > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(rest);  // the watch's pace
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  private void readOnce() {
    reads.incrementAndGet();
    ApiClient.Response response;
    try {
      response = api.sendAsync("GET", "/api/admin/sales/" + saleId + "/stats", adminToken, null, null, Map.of()).join();
    } catch (CompletionException e) {
      noAnswer.incrementAndGet();
      return;
    }
    if (response.status() >= 400 && !"application/problem+json".equals(response.contentType())) {
      failures.add("stats answered " + response.status() + " without problem+json: " + response.body());
      return;
    }
    if (response.status() == 503) {
      answered503.incrementAndGet();
      return;
    }
    if (response.status() != 200) {
      failures.add("stats answered " + response);
      return;
    }
    answered200.incrementAndGet();
    SaleStats stats = SaleStats.of(response.json());
    last = stats;
    mostSold = Math.max(mostSold, stats.sold());
    mostCountedTwice = Math.max(mostCountedTwice, stats.available() + stats.sold() - stats.stock());
    if (!stats.balanced() || stats.sold() > stats.stock()) {
      failures.add((stats.sold() > stats.stock() ? "more sold than the stock: " : "stats do not add up "
          + "(available + reserved + confirmed != stock): ") + stats);
    }
  }

  SaleStats last() {
    return last;
  }

  int mostSold() {
    return mostSold;
  }

  String summary() {
    return String.format("%d reads: %d answered 200, %d answered 503 (skipped), %d without an answer (skipped); %d broke a rule; the most sold (reserved + confirmed) read was %d, the most units counted twice (available + reserved + confirmed - stock) %d",
        reads.get(), answered200.get(), answered503.get(), noAnswer.get(), failures.size(), mostSold, mostCountedTwice);
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(TimeUnit.SECONDS.toMillis(40));
  }
}
