package com.flashsale.sale;

import static com.flashsale.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.FlashSaleFixture;
import com.flashsale.testing.SseClients;
import com.flashsale.testing.Storm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A thousand SSE clients on one node while a purchase storm sells the sale out: every client ends on the
 * final state, and the streams share one upstream per sale, so each costs little memory. Prints the heap
 * used (after a full GC) before, with the streams idle, and during the storm. The clients run in the
 * same JVM (one selector thread, a small buffer each), so their share is included.
 */
class SaleEventStreamLoadTest {

  static final int CLIENTS = 1_000;
  static final int BATCH = 100;
  static final int STOCK = 300;
  static final int BUYERS = 1_000;
  static final int ATTEMPTS = 1_500;
  static final String SOLD_OUT = "{\"available\":0,\"status\":\"SOLD_OUT\"}";

  private static long heapUsedAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    System.gc();
    System.gc();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  @Test
  void aThousandStreamsOnOneNodeAllSeeTheSaleSellOutDuringAPurchaseStorm() {
    try (FlashSaleFixture app = FlashSaleFixture.start("sale-events-load", Map.of(
        // Every stream of this test comes from one address.
        "flashsale.live-view.sse.max-streams-per-client", 4000,
        "flashsale.live-view.refresh-interval", "500ms",
        "flashsale.live-view.wake-interval", "200ms"))) {
      String saleId = app.createSaleId(Map.of("stock", STOCK));
      eventually(Duration.ofSeconds(10), () ->
          assertThat(app.node.liveSales().latest(UUID.fromString(saleId))).isPresent());
      List<String> buyers = new ArrayList<>();
      for (int i = 0; i < BUYERS; i++) {
        buyers.add(app.newBuyerToken());
      }
      long before = heapUsedAfterGc();

      try (SseClients clients = SseClients.of(app.node.httpPort(), "/api/sales/" + saleId + "/events", false)) {
        for (int connected = 0; connected < CLIENTS; connected += BATCH) {
          List<SseClients.Stream> batch = clients.connect(BATCH);
          eventually(Duration.ofSeconds(30), () -> assertThat(batch).allSatisfy(stream ->
              assertThat(stream.eventCount()).as("events of a new stream").isPositive()));
        }
        long idle = heapUsedAfterGc();

        CompletableFuture<Storm.Result> storm = CompletableFuture.supplyAsync(() ->
            Storm.run(List.of(app.api), saleId, buyers, Function.identity(), ATTEMPTS, 64));
        eventually(Duration.ofSeconds(30), () -> assertThat(app.node.liveSales().latest(UUID.fromString(saleId))
            .orElseThrow().sale().available()).isLessThan(STOCK / 2));
        long during = heapUsedAfterGc();
        Storm.Result result = storm.join();

        eventually(Duration.ofSeconds(30), () -> assertThat(clients.streams()).allSatisfy(stream ->
            assertThat(stream.lastData()).as("last event of a stream").isEqualTo(SOLD_OUT)));
        List<SseClients.Stream> streams = clients.streams();
        int events = streams.stream().mapToInt(SseClients.Stream::eventCount).sum();
        System.out.printf("%d SSE clients on one node; storm: %s%n", CLIENTS, result.summary());
        System.out.printf("Events per stream: %.1f on average (%d changes)%n", events / (double) CLIENTS, STOCK);
        System.out.printf("Heap used after GC: before %s, %d idle streams %s (+%s, %.1f KiB per stream), "
                + "during the storm %s (+%s)%n", mib(before), CLIENTS, mib(idle), mib(idle - before),
            (idle - before) / 1024.0 / CLIENTS, mib(during), mib(during - before));
        assertThat(streams).hasSize(CLIENTS).allSatisfy(stream -> {
          assertThat(stream.status()).isEqualTo(200);
          assertThat(stream.ended()).isFalse();
        });
        assertThat(result.count(201)).as("new holds (a 503 may hide one)").isLessThanOrEqualTo(STOCK);
      }
    }
  }
}
