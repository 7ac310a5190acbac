package flashsale.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FlashSaleRush's machine-readable result: {@code target/flashsale-rush-summary.json} (or {@code -DsummaryFile}),
 * flat keys plus the {@code statuses} and {@code outcomes} counts, and the same figures as a table on stdout.
 * WaitingRoomRush writes the same, plus its waiting room's figures. {@code summary-table.sh} prints two of these
 * side by side.
 */
public final class RushSummary {

  private RushSummary() {}

  public static void write(Ledger ledger, PurchaseStats stats, String saleId, Instant saleStart, int buyers,
      int stock, double rate, int rampSeconds) {
    write("FlashSaleRush", "target/flashsale-rush-summary.json", ledger, stats, saleId, saleStart, buyers, stock,
        rate, rampSeconds, Map.of());
  }

  /**
   * The summary of another rush in the same shape (so {@code summary-table.sh} compares them): its simulation's
   * name, the file it goes to without {@code -DsummaryFile}, and its own figures ({@code extra}), which come
   * after the purchase figures and before the audit's.
   */
  public static void write(String simulation, String defaultFile, Ledger ledger, PurchaseStats stats, String saleId,
      Instant saleStart, int buyers, int stock, double rate, int rampSeconds, Map<String, Object> extra) {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("simulation", simulation);
    summary.put("label", Params.string("label", ""));
    summary.put("baseUrls", String.join(",", Params.baseUrls()));
    summary.put("saleId", saleId);
    summary.put("saleStart", saleStart == null ? null : saleStart.toString());
    summary.put("buyers", buyers);
    summary.put("stock", stock);
    summary.put("rate", rate);
    summary.put("rampSeconds", rampSeconds);
    summary.putAll(stats.figures(saleStart == null ? 0 : saleStart.toEpochMilli()));
    summary.putAll(extra);
    Audit.Result audit = ledger.auditResults().get(saleId);
    List<String> violations = new ArrayList<>();
    ledger.auditResults().values().forEach(result -> violations.addAll(result.violations()));
    summary.put("oversell", audit == null ? null : audit.oversell());
    summary.put("reserved", audit == null ? null : audit.reserved());
    summary.put("confirmed", audit == null ? null : audit.confirmed());
    summary.put("released", audit == null ? null : audit.released());
    summary.put("auditPassed", audit != null && violations.isEmpty());
    summary.put("auditViolations", violations);
    // Relative to the gatling/ project (the pom passes its directory), not to wherever mvn was started.
    Path file = Path.of(Params.string("flashsale.baseDir", "."))
        .resolve(Params.string("summaryFile", defaultFile));
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      Files.writeString(file, Json.write(summary) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.println(table(simulation, summary, extra.keySet()));
    System.out.println("Summary written to " + file.toAbsolutePath());
  }

  private static String table(String simulation, Map<String, Object> summary, Set<String> extra) {
    StringBuilder out = new StringBuilder("\n================ " + simulation + " summary ================\n");
    row(out, "label", summary.get("label"));
    row(out, "buyers / stock", summary.get("buyers") + " / " + summary.get("stock"));
    row(out, "purchase attempts (incl. retries)", summary.get("attempts"));
    row(out, "attempts/s over the run", summary.get("attemptsPerSecond"));
    row(out, "reservations (201)", summary.get("reservations"));
    row(out, "reservations/s while selling", summary.get("reservationsPerSecondWhileSelling"));
    row(out, "purchase latency p50 / p95 / p99 ms", summary.get("purchaseLatencyP50Ms") + " / "
        + summary.get("purchaseLatencyP95Ms") + " / " + summary.get("purchaseLatencyP99Ms"));
    row(out, "sold out after (s from sale start)", summary.get("soldOutSeconds"));
    row(out, "all buyers answered after (s)", summary.get("allAnsweredSeconds"));
    row(out, "statuses", summary.get("statuses"));
    row(out, "outcomes", summary.get("outcomes"));
    extra.forEach(key -> row(out, key, summary.get(key)));
    row(out, "stats: reserved / confirmed / released", summary.get("reserved") + " / " + summary.get("confirmed")
        + " / " + summary.get("released"));
    row(out, "oversell", summary.get("oversell"));
    row(out, "audit", Boolean.TRUE.equals(summary.get("auditPassed")) ? "passed" : "FAILED " + summary.get("auditViolations"));
    return out.append("=======================================================\n").toString();
  }

  private static void row(StringBuilder out, String name, Object value) {
    out.append(String.format("%-40s %s%n", name, value));
  }
}
