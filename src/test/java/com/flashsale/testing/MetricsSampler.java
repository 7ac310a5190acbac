package com.flashsale.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads a node's {@code /metrics} every 50 ms during a storm, for {@link StormBenchmark}: the read model's lag
 * and the purchases answered 201. From them: the selling window (first sample that counted a new reservation
 * to the first that counted them all) and the lag within it.
 */
final class MetricsSampler {

  private static final Duration EVERY = Duration.ofMillis(50);

  /** One reading: seconds since the start, lag in seconds, reservations counted so far. */
  private record Sample(double at, double lag, double reserved) {}

  private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread thread;

  private MetricsSampler(ApiClient node) {
    long start = System.nanoTime();
    thread = new Thread(() -> {
      while (running.get()) {
        try {
          samples.add(read(node, (System.nanoTime() - start) / 1e9));
        } catch (RuntimeException e) {
          e.printStackTrace();
        }
        LockSupport.parkNanos(EVERY.toNanos());
      }
    }, "metrics-sampler");
  }

  static MetricsSampler start(ApiClient node) {
    MetricsSampler sampler = new MetricsSampler(node);
    sampler.thread.start();
    return sampler;
  }

  MetricsSampler stop() throws InterruptedException {
    running.set(false);
    thread.join();
    return this;
  }

  private static Sample read(ApiClient node, double at) {
    double lag = Double.NaN;
    double reserved = 0;
    for (String line : node.get("/metrics", null).body().lines().toList()) {
      if (line.startsWith("flashsale_projection_lag_seconds")) {
        lag = lastNumber(line);
      } else if (line.startsWith("flashsale_purchases_total{outcome=\"reserved\"")) {
        reserved = lastNumber(line);
      }
    }
    return new Sample(at, lag, reserved);
  }

  /** A SELLING line: reservations/s over the window, and the read model's lag in it. */
  String report(long reservations) {
    List<Sample> all = List.copyOf(samples);
    Sample base = all.get(0);
    Sample from = null;
    Sample to = null;
    List<Double> lags = new ArrayList<>();
    for (Sample sample : all) {
      if (from == null && sample.reserved() > base.reserved()) {
        from = sample;
      }
      if (from != null && to == null) {
        lags.add(sample.lag());
        if (sample.reserved() >= base.reserved() + reservations) {
          to = sample;
        }
      }
    }
    if (from == null || to == null) {
      return "  SELLING not seen: the samples never counted all " + reservations + " reservations\n";
    }
    double[] sorted = lags.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format("  SELLING reservations=%d seconds=%.2f reservations_per_s=%.0f; projection lag over %d "
            + "samples (every 50 ms): p50 %.3f s, p99 %.3f s, max %.3f s%n",
        reservations, to.at() - from.at(), reservations / (to.at() - from.at()), sorted.length, sorted[sorted.length / 2],
        sorted[(int) Math.ceil(sorted.length * 0.99) - 1], sorted[sorted.length - 1]);
  }

  private static double lastNumber(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }
}
