package com.flashsale.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU a purchase costs a cluster, in µs, as a cost per purchase plus a cost per journal write shared by the
 * purchases of its batch ({@code b}: purchases per write). Through nginx, a purchase reaches the node hosting its
 * sale's entity with probability 1/N; otherwise it is received on one node and forwarded:
 * <pre>
 *   nodes(N, b)    = ((N-1)/N)·f + l/N + w/b      f: received, forwarded and decided on another node
 *                                                 l: received and decided on the host
 *                                                 w: the nodes' CPU per journal write (the entity's write, the
 *                                                    read model's projection of it)
 *   postgres(b)    = g + wg/b
 *   machine(N, b)  = nodes + postgres + x          x: nginx, the client and the kernel, per request
 * </pre>
 * {@code r} is the receiving node's part of {@code f} (the host's is {@code f - r}), {@code e} a sold-out
 * attempt's cost on the node that answers it at its edge, {@code s} the entity's own serial time per purchase.
 */
record ScalingModel(double f, double r, double l, double w, double g, double wg, double x, double e, double s) {

  /** One measured run: purchases per write, and CPU µs per purchase on the nodes, PostgreSQL, the machine. */
  record Point(double batch, double nodes, double postgres, double machine) {}

  /**
   * The constants from four runs of one cluster of {@code n} nodes: purchases sent to a node not hosting the
   * sale ({@code remote}, whose receiver spent {@code receiver}), sent to its host ({@code local}), many sales
   * through nginx ({@code many}: a different batch size), a hot sale through nginx ({@code nginx}: for x);
   * {@code e} and {@code s} measured directly.
   */
  static ScalingModel fit(int n, Point remote, Point local, Point many, Point nginx, double receiver, double e,
      double s) {
    double remoteShare = (n - 1.0) / n;
    // remote: f + w/b1; local: l + w/b2; many: ((n-1)/n)f + l/n + w/b3; solved for w, then f and l.
    double w = (many.nodes() - remoteShare * remote.nodes() - local.nodes() / n)
        / (1 / many.batch() - remoteShare / remote.batch() - 1 / (n * local.batch()));
    double f = remote.nodes() - w / remote.batch();
    double l = local.nodes() - w / local.batch();
    // PostgreSQL: least squares of g + wg/b over all four runs; its cost per purchase beyond the writes is small
    // against the noise, so a fit below zero is taken as zero (all of it per write).
    List<Point> points = List.of(remote, local, many, nginx);
    double meanInverse = points.stream().mapToDouble(point -> 1 / point.batch()).average().orElseThrow();
    double meanPostgres = points.stream().mapToDouble(Point::postgres).average().orElseThrow();
    double covariance = points.stream()
        .mapToDouble(point -> (1 / point.batch() - meanInverse) * (point.postgres() - meanPostgres)).sum();
    double variance = points.stream().mapToDouble(point -> Math.pow(1 / point.batch() - meanInverse, 2)).sum();
    double wg = covariance / variance;
    double g = meanPostgres - wg * meanInverse;
    if (g < 0) {
      g = 0;
      wg = points.stream().mapToDouble(point -> point.postgres() / point.batch()).sum()
          / points.stream().mapToDouble(point -> 1 / Math.pow(point.batch(), 2)).sum();
    }
    double x = nginx.machine() - nginx.nodes() - nginx.postgres();
    return new ScalingModel(f, receiver, l, w, g, wg, x, e, s);
  }

  double nodes(int n, double batch) {
    return ((n - 1.0) / n) * f + l / n + w / batch;
  }

  double postgres(double batch) {
    return g + wg / batch;
  }

  double machine(int n, double batch) {
    return nodes(n, batch) + postgres(batch) + x;
  }

  /** What the model says of a run through nginx on {@code n} nodes, beside what it measured. */
  String check(String label, int n, Point measured) {
    return String.format(Locale.ROOT, "  %-28s nodes %5.0f µs (measured %5.0f) · PostgreSQL %4.0f (%4.0f) · machine "
            + "%5.0f (%5.0f)", label + ", b=" + String.format(Locale.ROOT, "%.1f", measured.batch()),
        nodes(n, measured.batch()), measured.nodes(), postgres(measured.batch()), measured.postgres(),
        machine(n, measured.batch()), measured.machine());
  }

  /**
   * Purchases/s of nodes on machines of their own, {@code cores} each, PostgreSQL on {@code dbCores}: sold-out
   * attempts need only the node that receives them; many sales spread their entities and their writes over
   * the nodes; one hot sale puts every write and every forwarded purchase's decision on its host, besides the
   * host's own share of receiving, and the entity decides one purchase at a time. PostgreSQL bounds them all.
   */
  String separateMachines(int cores, int dbCores, double hotBatch, double manyBatch) {
    double k = cores * 1e6;
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "  %5s %12s %16s %16s %16s%n", "nodes", "sold-out", "one hot sale", "many sales", "many sales"));
    table.append(String.format(Locale.ROOT, "  %5s %12s %16s %16s %16s%n", "", "", "b=" + round(hotBatch),
        "b=" + round(hotBatch), "b=" + round(manyBatch)));
    for (int n : new int[] {1, 2, 3, 4, 6, 8, 12}) {
      double host = ((n - 1.0) / n) * (f - r) + l / n + w / hotBatch;
      double hot = Math.min(k / host, n == 1 ? Double.MAX_VALUE : n * k / r);
      hot = Math.min(Math.min(hot, Double.isNaN(s) ? Double.MAX_VALUE : 1e6 / s), dbCores * 1e6 / postgres(hotBatch));
      table.append(String.format(Locale.ROOT, "  %5d %12.0f %16.0f %16.0f %16.0f%n", n, n * k / e, hot,
          spread(n, k, dbCores, hotBatch), spread(n, k, dbCores, manyBatch)));
    }
    table.append(String.format(Locale.ROOT, "  ceilings: one hot sale's host %.0f/s (%d cores / (f-r+w/b)), the "
            + "entity's serial time %.0f/s (1/s), PostgreSQL %.0f/s at b=%s and %.0f/s at b=%s (%d cores / (g+wg/b))",
        k / (f - r + w / hotBatch), cores, 1e6 / s, dbCores * 1e6 / postgres(hotBatch), round(hotBatch),
        dbCores * 1e6 / postgres(manyBatch), round(manyBatch), dbCores));
    return table.toString();
  }

  private double spread(int n, double k, int dbCores, double batch) {
    return Math.min(n * k / nodes(n, batch), dbCores * 1e6 / postgres(batch));
  }

  private static String round(double batch) {
    return String.format(Locale.ROOT, "%.1f", batch);
  }

  /** The constants as {@code name=value,...}, to be read back by {@link #parse}. */
  String encode() {
    Map<String, Double> values = values();
    StringBuilder encoded = new StringBuilder();
    values.forEach((name, value) -> encoded.append(encoded.length() == 0 ? "" : ",").append(name).append('=')
        .append(String.format(Locale.ROOT, "%.1f", value)));
    return encoded.toString();
  }

  static ScalingModel parse(String encoded) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (String pair : encoded.split(",")) {
      String[] nameValue = pair.split("=");
      values.put(nameValue[0], Double.parseDouble(nameValue[1]));
    }
    return new ScalingModel(values.get("f"), values.get("r"), values.get("l"), values.get("w"), values.get("g"),
        values.get("wg"), values.get("x"), values.get("e"), values.get("s"));
  }

  private Map<String, Double> values() {
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("f", f);
    values.put("r", r);
    values.put("l", l);
    values.put("w", w);
    values.put("g", g);
    values.put("wg", wg);
    values.put("x", x);
    values.put("e", e);
    values.put("s", s);
    return values;
  }
}
