package com.flashsale.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The meters and their Prometheus names, labels and buckets, without a node. */
class MetricsTest {

  private final Metrics metrics = new Metrics();

  @AfterEach
  void close() {
    metrics.close();
  }

  /** Lines of the scrape for {@code name} whose labels include every one of {@code labels}. */
  static List<String> samples(String scrape, String name, String... labels) {
    return Arrays.stream(scrape.split("\n"))
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .filter(line -> Arrays.stream(labels).allMatch(line::contains))
        .toList();
  }

  @Test
  void timesRequestsAsAHistogramLabelledByMethodRouteAndStatus() {
    metrics.recordRequest("GET", "/api/sales/{id}", 200, Duration.ofMillis(3).toNanos());

    String scrape = metrics.scrape();

    String[] labels = {"method=\"GET\"", "route=\"/api/sales/{id}\"", "status=\"200\""};
    assertThat(samples(scrape, "http_server_requests_seconds_bucket", labels)).hasSizeGreaterThan(5);
    assertThat(samples(scrape, "http_server_requests_seconds_bucket", append(labels, "le=\"0.002\"")))
        .singleElement().asString().endsWith(" 0.0");
    assertThat(samples(scrape, "http_server_requests_seconds_bucket", append(labels, "le=\"0.005\"")))
        .singleElement().asString().endsWith(" 1.0");
    assertThat(samples(scrape, "http_server_requests_seconds_count", labels)).singleElement().asString()
        .endsWith(" 1.0");
  }

  @Test
  void countsPurchasesByOutcome() {
    metrics.recordPurchase("reserved");
    metrics.recordPurchase("reserved");
    metrics.recordPurchase("SOLD_OUT");

    String scrape = metrics.scrape();

    assertThat(samples(scrape, "flashsale_purchases_total", "outcome=\"reserved\"")).singleElement().asString()
        .endsWith(" 2.0");
    assertThat(samples(scrape, "flashsale_purchases_total", "outcome=\"SOLD_OUT\"")).singleElement().asString()
        .endsWith(" 1.0");
  }

  @Test
  void countsAnUnknownPurchaseOutcomeAsOther() {
    metrics.recordPurchase("something " + UUID.randomUUID());

    assertThat(samples(metrics.scrape(), "flashsale_purchases_total", "outcome=\"other\"")).singleElement()
        .asString().endsWith(" 1.0");
  }

  @Test
  void exposesThePurchaseCounterBeforeAnyPurchase() {
    assertThat(samples(metrics.scrape(), "flashsale_purchases_total", "outcome=\"reserved\"")).singleElement()
        .asString().endsWith(" 0.0");
  }

  @Test
  void recordsReserveBatchSizesAsAHistogram() {
    metrics.recordReserveBatch(3);

    String scrape = metrics.scrape();

    assertThat(samples(scrape, "flashsale_reserve_batch_size_bucket", "le=\"2.0\"")).singleElement().asString()
        .endsWith(" 0.0");
    assertThat(samples(scrape, "flashsale_reserve_batch_size_bucket", "le=\"4.0\"")).singleElement().asString()
        .endsWith(" 1.0");
    assertThat(samples(scrape, "flashsale_reserve_batch_size_sum")).singleElement().asString().endsWith(" 3.0");
  }

  @Test
  void showsTheLastProjectionLagOfEachTagInSeconds() {
    metrics.recordProjectionLag("sale-0", Duration.ofMillis(200));
    metrics.recordProjectionLag("sale-0", Duration.ofMillis(1500));
    metrics.recordProjectionLag("sale-3", Duration.ofMillis(250));

    String scrape = metrics.scrape();
    assertThat(samples(scrape, "flashsale_projection_lag_seconds", "tag=\"sale-0\"")).singleElement().asString()
        .endsWith(" 1.5");
    assertThat(samples(scrape, "flashsale_projection_lag_seconds", "tag=\"sale-3\"")).singleElement().asString()
        .endsWith(" 0.25");
  }

  @Test
  void countsJournalFailuresAndSettlementsAndSumsThePaymentsInDoubt() {
    metrics.entityRestarted();
    metrics.entityRestarted();
    metrics.journalWriteFailed();
    metrics.paymentsInDoubt("sale-a", 2);
    metrics.paymentsInDoubt("sale-b", 1);
    metrics.paymentsInDoubt("sale-b", 3);
    metrics.settled("confirmed");
    metrics.settled("refunded");
    metrics.settled("refunded");

    String scrape = metrics.scrape();
    assertThat(samples(scrape, "flashsale_entity_restarts_total")).singleElement().asString().endsWith(" 2.0");
    assertThat(samples(scrape, "flashsale_journal_write_failures_total")).singleElement().asString().endsWith(" 1.0");
    assertThat(samples(scrape, "flashsale_payments_in_doubt")).singleElement().asString().endsWith(" 5.0");
    assertThat(samples(scrape, "flashsale_payment_settlements_total", "outcome=\"refunded\"")).singleElement()
        .asString().endsWith(" 2.0");
    metrics.paymentsInDoubt("sale-a", 0);
    assertThat(samples(metrics.scrape(), "flashsale_payments_in_doubt")).singleElement().asString().endsWith(" 3.0");
  }

  @Test
  void exposesJvmGauges() {
    String scrape = metrics.scrape();

    assertThat(samples(scrape, "jvm_memory_used_bytes", "area=\"heap\"")).isNotEmpty();
    assertThat(samples(scrape, "jvm_threads_live_threads")).isNotEmpty();
    assertThat(samples(scrape, "system_cpu_count")).isNotEmpty();
    assertThat(samples(scrape, "process_uptime_seconds")).isNotEmpty();
  }

  private static String[] append(String[] labels, String label) {
    String[] all = Arrays.copyOf(labels, labels.length + 1);
    all[labels.length] = label;
    return all;
  }
}
