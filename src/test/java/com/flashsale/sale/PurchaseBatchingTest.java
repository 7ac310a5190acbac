package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.Storm;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/architecture.md rule 3 on a running node: concurrent purchases of one sale are gathered by the node's
 * batcher into batches (their sizes in {@code flashsale_reserve_batch_size}), and with batching on or
 * off a storm sells exactly the stock, each unit once.
 */
class PurchaseBatchingTest {

  static final int STOCK = 300;
  static final int BUYERS = 900;

  @ParameterizedTest(name = "batching {0}")
  @ValueSource(booleans = {true, false})
  void aStormSellsExactlyTheStockAndBatchesOnlyWhenBatchingIsOn(boolean batching) {
    try (FlashSaleFixture app = FlashSaleFixture.start("batching_" + batching,
        Map.of("flashsale.purchase.batching.enabled", batching))) {
      String saleId = app.createSaleId(Map.of("stock", STOCK));
      Map<String, String> buyerByToken = new HashMap<>();
      IntStream.range(0, BUYERS).forEach(i -> buyerByToken.put(app.buyerToken("buyer-" + i), "buyer-" + i));

      Storm.Result storm = Storm.run(List.of(app.api), saleId, List.copyOf(buyerByToken.keySet()),
          buyerByToken::get, BUYERS, 64);

      assertThat(storm.count(201)).isEqualTo(STOCK);
      assertThat(storm.count(201) + storm.count(409)).as(storm.summary()).isEqualTo(BUYERS);
      assertThat(storm.attempts().stream().filter(a -> a.status() == 201).map(Storm.Attempt::orderId).distinct())
          .hasSize(STOCK);
      String scrape = app.api.get("/metrics", null).body();
      double batches = value(scrape, "flashsale_reserve_batch_size_count");
      double batched = value(scrape, "flashsale_reserve_batch_size_sum");
      if (batching) {
        // Every attempt that reached the entity went in some batch, and batches held several each.
        assertThat(batched).isGreaterThanOrEqualTo(STOCK).isLessThanOrEqualTo(BUYERS);
        assertThat(batches).isPositive().isLessThan(batched);
      } else {
        assertThat(batches).isZero();
      }
    }
  }

  private static double value(String scrape, String name) {
    return Arrays.stream(scrape.split("\n")).filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }
}
