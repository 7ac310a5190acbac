package com.flashsale.ops;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleMonitor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's meters, in one Prometheus registry of its own (several nodes may share a JVM in tests, so
 * never the global one), scraped by {@code GET /metrics}. Names are the API contract's: Prometheus
 * derives {@code http_server_requests_seconds} from the timer {@code http.server.requests}, and so on.
 * Label values are bounded: routes are templates, outcomes are error codes, statuses are numbers.
 */
public final class Metrics implements AutoCloseable, SaleMonitor {

  /** Request latency buckets, up to the 20 s request timeout. */
  private static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(20)};

  private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  public static final String RESERVED = "reserved";

  /** Any outcome that is neither {@link #RESERVED} nor an error code is counted under this one. */
  static final String OTHER_OUTCOME = "other";

  private record RequestKey(String method, String route, int status) {}

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private final Map<RequestKey, Timer> requestTimers = new ConcurrentHashMap<>();
  private final Map<String, Counter> purchases = new ConcurrentHashMap<>();
  private volatile DistributionSummary reserveBatchSize;
  private final Map<String, AtomicLong> projectionLagNanos = new ConcurrentHashMap<>();
  private final Counter entityRestarts;
  private final Counter journalWriteFailures;
  private final Map<String, Integer> paymentsInDoubt = new ConcurrentHashMap<>();
  private final Counter settlementsStarted;
  private final Counter settlementFailures;
  private final Map<String, Counter> settlements = new ConcurrentHashMap<>();
  private final Counter skippedEventsApplied;

  Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    reserveBatchSize = reserveBatchSize();
    purchaseCounter(RESERVED);
    entityRestarts = Counter.builder("flashsale.entity.restarts")
        .description("Sale entities restarted from the journal after a journal failure (a write or a recovery)")
        .register(registry);
    journalWriteFailures = Counter.builder("flashsale.journal.write.failures")
        .description("Sale entity journal writes that failed; their requests were answered 503")
        .register(registry);
    Gauge.builder("flashsale.payments.in.doubt", paymentsInDoubt,
            inDoubt -> inDoubt.values().stream().mapToInt(Integer::intValue).sum())
        .description("Payment attempts whose outcome is not recorded yet, in the sales hosted here (each is settled)")
        .register(registry);
    settlementsStarted = Counter.builder("flashsale.payment.settlements.started")
        .description("Payment attempts in doubt that a sale began to settle (looked up at the gateway)")
        .register(registry);
    settlementFailures = Counter.builder("flashsale.payment.settlement.failures")
        .description("Gateway calls made to settle a payment attempt that failed (each is tried again)")
        .register(registry);
    skippedEventsApplied = Counter.builder("flashsale.read.model.late.events")
        .description("Events the read journal skipped (their write committed late) that the read model applied later")
        .register(registry);
    for (String outcome : List.of("confirmed", "refunded", "nothing-charged")) {
      settlements.put(outcome, Counter.builder("flashsale.payment.settlements")
          .description("Payment attempts in doubt settled by their sale, by outcome (refunded: charges given back)")
          .tag("outcome", outcome)
          .register(registry));
    }
  }

  /** The meters of a node: JVM, Akka cluster and sharding of {@code entityType}, and the API's own. */
  public static Metrics start(ActorSystem<?> system, EntityTypeKey<?> entityType) {
    Metrics metrics = new Metrics();
    ClusterMetrics.bind(metrics.registry, system, entityType);
    system.getWhenTerminated().thenRun(metrics::close);
    return metrics;
  }

  /**
   * Forgets the requests, purchases and batches counted so far: a starting node's own warm-up traffic
   * ({@code warmup.Warmup}), which no dashboard should show. Its meters start again from zero, as at a start.
   */
  public void forgetTraffic() {
    requestTimers.values().forEach(registry::remove);
    requestTimers.clear();
    purchases.values().forEach(registry::remove);
    purchases.clear();
    purchaseCounter(RESERVED);
    registry.remove(reserveBatchSize);
    reserveBatchSize = reserveBatchSize();
  }

  private DistributionSummary reserveBatchSize() {
    return DistributionSummary.builder("flashsale.reserve.batch.size")
        .description("Order commands (purchases, payment steps, cancellations) decided together in one batch by a sale entity")
        .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
        .register(registry);
  }

  /** One answered HTTP request; {@code route} is its template (or {@code unmatched}), never the raw path. */
  public void recordRequest(String method, String route, int status, long nanos) {
    requestTimers.computeIfAbsent(new RequestKey(method, route, status), key -> Timer.builder("http.server.requests")
            .description("HTTP requests until their response (for streams: its headers) was ready")
            .tags("method", key.method(), "route", key.route(), "status", Integer.toString(key.status()))
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** One purchase answered: {@code reserved}, or the rejection's error code (e.g. {@code SOLD_OUT}). */
  public void recordPurchase(String outcome) {
    purchaseCounter(outcome).increment();
  }

  /** How many order commands a sale entity decided in one batch. */
  public void recordReserveBatch(int size) {
    reserveBatchSize.record(size);
  }

  /** How far behind the event it just handled the read-model projection of {@code tag} is (the event's age). */
  public void recordProjectionLag(String tag, Duration lag) {
    projectionLagNanos.computeIfAbsent(tag, t -> {
      AtomicLong nanos = new AtomicLong();
      TimeGauge.builder("flashsale.projection.lag", nanos, TimeUnit.NANOSECONDS, AtomicLong::get)
          .description("How far the read model's projection of a tag was behind the events it last handled")
          .tag("tag", t)
          .register(registry);
      return nanos;
    }).set(Math.max(0, lag.toNanos()));
  }

  /** The read model applied {@code events} events late, which the read journal had skipped. */
  public void recordSkippedEventsApplied(int events) {
    skippedEventsApplied.increment(events);
  }

  @Override
  public void entityRestarted() {
    entityRestarts.increment();
  }

  @Override
  public void journalWriteFailed() {
    journalWriteFailures.increment();
  }

  @Override
  public void paymentsInDoubt(String saleId, int count) {
    if (count == 0) {
      paymentsInDoubt.remove(saleId);
    } else {
      paymentsInDoubt.put(saleId, count);
    }
  }

  @Override
  public void settlementStarted() {
    settlementsStarted.increment();
  }

  @Override
  public void settled(String outcome) {
    Counter counter = settlements.get(outcome);
    if (counter != null) {
      counter.increment();
    }
  }

  @Override
  public void settlementFailed() {
    settlementFailures.increment();
  }

  /** Every meter in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }

  private Counter purchaseCounter(String outcome) {
    return purchases.computeIfAbsent(boundedOutcome(outcome), label -> Counter.builder("flashsale.purchases")
        .description("Purchase requests answered, by outcome: reserved or the rejection's error code")
        .tag("outcome", label)
        .register(registry));
  }

  /** Keeps the label's values to a known set, whatever a caller passes. */
  static String boundedOutcome(String outcome) {
    if (RESERVED.equals(outcome)) {
      return RESERVED;
    }
    for (ErrorCode code : ErrorCode.values()) {
      if (code.name().equals(outcome)) {
        return outcome;
      }
    }
    return OTHER_OUTCOME;
  }
}
