package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.ManualTime;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.pubsub.Topic;
import com.github.benmanes.caffeine.cache.Ticker;
import com.flashsale.testing.Eventually;
import com.flashsale.testing.TestClock;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One node's live view (docs/architecture.md rule 4) against sales held in memory, with time moved by the test: which
 * sales it follows, when it serves one, when it forgets one. The entities are stood in for by the test,
 * which publishes their updates to the sales' topics. {@code LiveViewTest} shows the view end to end.
 */
class LiveViewFollowingTest {

  private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
  private static final LiveView.Settings SETTINGS = new LiveView.Settings(Duration.ofSeconds(5), Duration.ofSeconds(1),
      Duration.ofMinutes(1), 10, Duration.ofSeconds(15), Duration.ofSeconds(1));

  /** A command the view sent to a sale entity. */
  private record Sent(String saleId, SaleCommand command) {}

  private ActorTestKit testKit;
  private ManualTime time;
  private TestClock clock;
  private InMemorySaleCatalog catalog;
  private TestProbe<Sent> entities;
  private LiveSales live;
  /** Nothing is in the journal here: a sale is known only when the view follows it. */
  private final KnownSales known = new KnownSales(saleId -> CompletableFuture.completedFuture(false),
      new KnownSales.Settings(100, 100, Duration.ofMinutes(1)), Ticker.systemTicker());

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create(ManualTime.config());
    time = ManualTime.get(testKit.system());
    clock = new TestClock(T0);
    catalog = new InMemorySaleCatalog();
    entities = testKit.createTestProbe();
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private void startView() {
    ActorRef<Sent> sent = entities.getRef();
    live = LiveView.start(testKit.system(), catalog, null, known, clock, SETTINGS,
        (saleId, command) -> sent.tell(new Sent(saleId, command)));
  }

  private void pass(Duration duration) {
    clock.advance(duration);
    time.timePasses(duration);
  }

  private static SaleView sale(String id, int available, Instant startsAt, Instant endsAt) {
    return new SaleView(id, "product", BigDecimal.TEN, 10, available, 0, 10 - available, 0,
        SaleStatus.at(T0, false, startsAt, endsAt, available), startsAt, endsAt, 2, 60, null);
  }

  private static SaleView liveSale(String id, int available) {
    return sale(id, available, T0.minusSeconds(60), T0.plusSeconds(3_600));
  }

  /** What the entity publishes after a change; the first ones may be lost while the view's subscription spreads. */
  private ActorRef<Topic.Command<SaleUpdate>> entityTopic(String saleId) {
    return testKit.spawn(Topic.create(SaleUpdate.class, SaleUpdate.topicName(saleId)));
  }

  /** Publishes {@code update} until the view serves it, waking the view's timers as time goes by. */
  private void publishUntilServed(String saleId, SaleUpdate update) {
    ActorRef<Topic.Command<SaleUpdate>> topic = entityTopic(saleId);
    Eventually.eventually(Duration.ofSeconds(10), () -> {
      topic.tell(Topic.publish(update));
      assertThat(live.latest(UUID.fromString(saleId))).map(SaleUpdate::version).contains(update.version());
    });
  }

  private Optional<SaleUpdate> served(String saleId) {
    return live.latest(UUID.fromString(saleId));
  }

  @Test
  void followsAnOpenSaleOfTheReadModelAndServesItOnlyOnceAnUpdateCameThroughItsSubscription() {
    String id = UUID.randomUUID().toString();
    catalog.put(liveSale(id, 9), 3);
    startView();
    Sent wake = entities.expectMessageClass(Sent.class);
    assertThat(wake.saleId()).isEqualTo(id);
    assertThat(wake.command()).isInstanceOf(SaleCommand.WakeUp.class);
    assertThat(served(id)).as("the read model's row alone is not served").isEmpty();
    assertThat(known.isKnown(UUID.fromString(id))).as("a sale the view follows is known to exist").isTrue();

    pass(SETTINGS.wakeInterval());
    assertThat(entities.expectMessageClass(Sent.class).saleId()).as("woken until heard from").isEqualTo(id);

    publishUntilServed(id, new SaleUpdate(liveSale(id, 7), 4));
    assertThat(served(id).orElseThrow().sale().available()).isEqualTo(7);
    pass(SETTINGS.wakeInterval().multipliedBy(3));
    entities.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void followsASaleARequestAskedAboutThoughTheReadModelDoesNotHaveItYet() {
    startView();
    String id = UUID.randomUUID().toString();
    live.watch(UUID.fromString(id));
    assertThat(entities.expectMessageClass(Sent.class).saleId()).isEqualTo(id);
    publishUntilServed(id, new SaleUpdate(liveSale(id, 10), 1));
  }

  @Test
  void keepsTheNewerUpdateWhenTheReadModelShowsAnOlderOne() {
    String id = UUID.randomUUID().toString();
    catalog.put(liveSale(id, 9), 3);
    startView();
    publishUntilServed(id, new SaleUpdate(liveSale(id, 5), 7));

    catalog.put(liveSale(id, 8), 5); // the projection is behind the entity
    int reads = catalog.reads();
    pass(SETTINGS.refreshInterval());
    Eventually.eventually(Duration.ofSeconds(5), () -> assertThat(catalog.reads()).isGreaterThan(reads));
    testKit.createTestProbe().expectNoMessage(Duration.ofMillis(100));
    assertThat(served(id).orElseThrow().version()).isEqualTo(7);

    catalog.put(liveSale(id, 4), 8); // an update pub-sub lost, brought back by the table
    pass(SETTINGS.refreshInterval());
    Eventually.eventually(Duration.ofSeconds(5),
        () -> assertThat(served(id).orElseThrow().sale().available()).isEqualTo(4));
  }

  @Test
  void forgetsASaleEndedForForgetAfterAndNeverFollowsOneEndedAlready() {
    String ending = UUID.randomUUID().toString();
    String ended = UUID.randomUUID().toString();
    catalog.put(sale(ending, 9, T0.minusSeconds(60), T0.plusSeconds(10)), 3);
    catalog.put(sale(ended, 9, T0.minusSeconds(600), T0.minusSeconds(10)), 3);
    startView();
    assertThat(entities.expectMessageClass(Sent.class).saleId()).isEqualTo(ending);
    publishUntilServed(ending, new SaleUpdate(sale(ending, 9, T0.minusSeconds(60), T0.plusSeconds(10)), 4));

    pass(Duration.ofSeconds(15)); // ended: seen closed by the next refresh
    assertThat(served(ending)).as("served until forget-after").isPresent();
    Eventually.eventually(Duration.ofSeconds(10), () -> {
      pass(SETTINGS.refreshInterval());
      assertThat(served(ending)).isEmpty();
    });
    assertThat(clock.instant()).isAfterOrEqualTo(T0.plusSeconds(10).plus(SETTINGS.forgetAfter()));
    entities.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void retriesAFailedReadAfterTheRefreshInterval() {
    String id = UUID.randomUUID().toString();
    catalog.put(liveSale(id, 9), 3);
    catalog.failNext(1);
    startView();
    Eventually.eventually(Duration.ofSeconds(5), () -> assertThat(catalog.reads()).isEqualTo(1));
    entities.expectNoMessage(Duration.ofMillis(100));

    pass(SETTINGS.refreshInterval());
    assertThat(entities.expectMessageClass(Sent.class).saleId()).isEqualTo(id);
  }
}
