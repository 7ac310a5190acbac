package com.flashsale.warmup;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.ApiClient;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node with the warm-up on: not ready while it warms up, then ready; its warm-up bought through the real purchase
 * path (the warm-up journal holds the reservations) and left nothing anyone else sees: nothing in the service's
 * journal, the read model, the sale listing, or the request and purchase meters.
 */
class WarmupTest {

  private static FlashSaleFixture fixture;
  private static boolean sawWarmingUp;

  @BeforeAll
  static void start() {
    fixture = FlashSaleFixture.start("warmup", Map.of(
        "flashsale.warmup.enabled", "on",
        "flashsale.warmup.min-duration", "2s",
        "flashsale.warmup.max-duration", "4s",
        "flashsale.warmup.buyers", "300",
        "flashsale.warmup.concurrency", "8"));
    eventually(Duration.ofSeconds(60), () -> {
      ApiClient.Response ready = fixture.api.get("/health/ready", null);
      if (ready.status() == 503 && ready.body().contains("warming up")) {
        sawWarmingUp = true;
      }
      assertThat(ready.status()).isEqualTo(200);
    });
  }

  @AfterAll
  static void stop() {
    fixture.close();
  }

  @Test
  void theNodeSaysItIsNotReadyWhileItWarmsUp() {
    assertThat(sawWarmingUp).as("/health/ready answered 503 'warming up' before 200").isTrue();
  }

  @Test
  void theWarmupReservedThroughTheEntityIntoItsOwnJournal() throws SQLException {
    // Each warm-up sale's creation, then a reservation per purchase batch at least.
    assertThat(count("SELECT count(*) FROM warmup_event_journal WHERE persistence_id LIKE 'SaleWarmup|%'"))
        .isGreaterThan(10);
  }

  @Test
  void nothingOfTheWarmupIsInTheJournalTheReadModelOrTheListings() throws SQLException {
    assertThat(count("SELECT count(*) FROM event_journal")).as("the service's journal").isZero();
    assertThat(count("SELECT count(*) FROM orders")).as("the read model's orders").isZero();
    assertThat(count("SELECT count(*) FROM sales")).as("the read model's sales").isZero();
    assertThat(fixture.api.get("/api/sales", null).json().get("items")).as("the sale listing").isEmpty();
  }

  @Test
  void theMetersStartFromZeroAfterTheWarmup() {
    String metrics = fixture.api.get("/metrics", null).body();
    assertThat(metrics).contains("flashsale_purchases_total{outcome=\"reserved\",} 0.0");
    assertThat(metrics).doesNotContain("route=\"/api/sales/{id}/purchase\"");
    assertThat(metrics).contains("flashsale_reserve_batch_size_count 0.0");
  }

  private static long count(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(fixture.dbUrl, TestDatabase.user(), TestDatabase.password());
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
