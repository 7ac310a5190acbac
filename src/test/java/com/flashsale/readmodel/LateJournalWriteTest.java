package com.flashsale.readmodel;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.sale.Sale;
import com.flashsale.sale.SaleEvent;
import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.JournalRows;
import com.flashsale.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md rule 6, the read model misses no event however late its write commits. The read journal gives a
 * hole in the journal's ordering up after a while (here 2 s) and delivers the rows above it; a write committing
 * later is never delivered by tag. Here a sale's first event (its SaleCreated) commits late, after later events of
 * its tag were projected, and nothing follows it: the read model's audit (here every second) finds it.
 */
class LateJournalWriteTest {

  static FlashSaleFixture app;
  static JournalRows journal;

  @BeforeAll
  static void start() {
    app = FlashSaleFixture.start("late_journal_write", Map.of(
        "jdbc-read-journal.journal-sequence-retrieval.max-tries", 10,
        "flashsale.read-model.audit.interval", "1s"));
    journal = new JournalRows();
  }

  @AfterAll
  static void stop() {
    journal.close();
    app.close();
  }

  @Test
  void aSaleWhoseCreationCommittedAfterLaterEventsWerePassedStillReachesTheReadModel() throws Exception {
    String busySale = app.createSaleId(Map.of("stock", 5));
    String lateSale = saleIdOnTheTagOf(busySale);
    JsonNode product = app.createProduct();
    Instant now = app.now();
    var created = new SaleEvent.SaleCreated(lateSale, product.get("id").asText(), new BigDecimal("5.00"), 3,
        now.minusSeconds(1), now.plus(Duration.ofDays(1)), 1, 300, now, null);

    try (Connection c = DriverManager.getConnection(app.dbUrl, TestDatabase.user(), TestDatabase.password())) {
      c.setAutoCommit(false);
      journal.insert(c, "Sale|" + lateSale, 1, created, Sale.tagFor(lateSale));
      // A later event of the same tag commits and is projected: the read journal gave the hole up.
      String order = app.api.post("/api/sales/" + busySale + "/purchase", app.newBuyerToken(), null).json()
          .get("id").asText();
      eventually(Duration.ofSeconds(20), () -> assertThat(orderIdsOf(busySale)).contains(order));
      c.commit();
    }

    eventually(Duration.ofSeconds(20), () -> {
      JsonNode sale = app.api.get("/api/sales/" + lateSale, null).json();
      assertThat(sale.get("stock").asInt()).isEqualTo(3);
      assertThat(app.api.get("/api/sales?status=live&limit=500", null).json().get("items").findValuesAsText("id"))
          .contains(lateSale);
    });
  }

  private static String saleIdOnTheTagOf(String saleId) {
    String id;
    do {
      id = UUID.randomUUID().toString();
    } while (!Sale.tagFor(id).equals(Sale.tagFor(saleId)));
    return id;
  }

  private static java.util.List<String> orderIdsOf(String saleId) {
    return app.api.get("/api/admin/sales/" + saleId + "/orders", app.adminToken()).json().get("items")
        .findValuesAsText("id");
  }
}
