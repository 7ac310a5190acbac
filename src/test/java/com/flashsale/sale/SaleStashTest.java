package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.flashsale.testing.TestClock;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of commands that need no write (reads, rejections) arriving while the entity writes is
 * stashed, then unstashed recursively by Akka 2.8 (akka/akka-core#29933, fixed only after 2.8): a stash
 * of about a thousand such commands overflows the stack and the JVM exits. The entity's stash is
 * therefore bounded (persistence.conf) well below that; commands beyond it are dropped and their
 * callers time out (503 OVERLOADED), and the entity lives on.
 */
class SaleStashTest {

  private final ActorTestKit testKit = ActorTestKit.create("SaleStashTest",
      ConfigFactory.parseString("akka.jvm-exit-on-fatal-error = off\nakka.loglevel = ERROR")
          .withFallback(ConfigFactory.parseMap(java.util.Map.of("akka.persistence.typed.stash-capacity",
              ConfigFactory.parseResources("persistence.conf").getInt("akka.persistence.typed.stash-capacity"))))
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.parseResources("serialization.conf")));

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aFloodOfReadsWhileAWriteIsInFlightNeitherOverflowsTheStackNorStopsTheEntity() {
    ActorRef<SaleCommand> sale = testKit.spawn(
        Sale.create(UUID.randomUUID().toString(), new TestClock(SaleHarness.OPENS), SaleHarness.SETTINGS, null));
    TestProbe<SaleReply> replies = testKit.createTestProbe(SaleReply.class);
    sale.tell(new SaleCommand.Create(SaleHarness.terms(10, 1, 300), replies.getRef()));
    replies.expectMessageClass(SaleReply.SaleDetails.class);

    TestProbe<SaleReply> flood = testKit.createTestProbe(SaleReply.class);
    sale.tell(new SaleCommand.Reserve("alice", 1, null, replies.getRef()));
    for (int i = 0; i < 5_000; i++) {
      sale.tell(new SaleCommand.Get(flood.getRef()));
    }

    replies.expectMessageClass(SaleReply.OrderDetails.class, Duration.ofSeconds(10));
    flood.receiveSeveralMessages(200, Duration.ofSeconds(10));
    TestProbe<SaleReply> after = testKit.createTestProbe(SaleReply.class);
    sale.tell(new SaleCommand.Get(after.getRef()));
    SaleView view = after.expectMessageClass(SaleReply.SaleDetails.class, Duration.ofSeconds(10)).sale();
    assertThat(view.reserved()).isEqualTo(1);
  }
}
