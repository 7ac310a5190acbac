package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.testkit.JournalOperation;
import akka.persistence.testkit.ProcessingPolicy;
import akka.persistence.testkit.ProcessingResult;
import akka.persistence.testkit.ProcessingSuccess;
import akka.persistence.testkit.ReadEvents;
import akka.persistence.testkit.ReadSeqNum;
import akka.persistence.testkit.StorageFailure;
import akka.persistence.testkit.WriteEvents;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.PersistenceTestKit;
import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.sale.SaleReply.SaleDetails;
import com.flashsale.testing.TestClock;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md rule 7, nothing silently dropped: what a sale entity cannot take is answered at once. Akka
 * stashes commands that arrive while the entity writes or recovers, in a stash of bounded capacity (the
 * application's persistence.conf, as here), and drops what does not fit, unanswered; it also unstashes
 * recursively in 2.8 (akka/akka-core#29933), so a stash of a thousand commands that need no write would
 * overflow the stack. The entity's inbox answers requests beyond its bound 503 OVERLOADED at once, and
 * every request while the entity cannot recover from a journal failure.
 */
class SaleInboxTest {

  private final ActorTestKit testKit = ActorTestKit.create("SaleInboxTest",
      ConfigFactory.parseString("akka.jvm-exit-on-fatal-error = off\nakka.loglevel = ERROR")
          .withFallback(ConfigFactory.parseMap(Map.of("akka.persistence.typed.stash-capacity",
              ConfigFactory.parseResources("persistence.conf").getInt("akka.persistence.typed.stash-capacity"))))
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.parseResources("serialization.conf")));
  private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private final String saleId = UUID.randomUUID().toString();
  private final ActorRef<SaleCommand> sale = testKit.spawn(
      Sale.create(saleId, new TestClock(SaleHarness.OPENS), SaleHarness.SETTINGS, new ScriptedGateway(), SaleMonitor.NONE));
  private final TestProbe<SaleReply> replies = testKit.createTestProbe(SaleReply.class);

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void answersEveryOneOfAFloodOfRequestsWhileAWriteIsInFlight() {
    create();
    TestProbe<SaleReply> flood = testKit.createTestProbe(SaleReply.class);
    sale.tell(new SaleCommand.Reserve("alice", 1, null, null, replies.getRef()));
    for (int i = 0; i < 5_000; i++) {
      sale.tell(new SaleCommand.Get(flood.getRef()));
    }

    replies.expectMessageClass(SaleReply.OrderDetails.class, Duration.ofSeconds(10));
    var answers = flood.receiveSeveralMessages(5_000, Duration.ofSeconds(20));
    assertThat(answers).allSatisfy(answer -> assertThat(answer).satisfiesAnyOf(
        a -> assertThat(a).isInstanceOf(SaleDetails.class),
        a -> assertThat(a).isEqualTo(new Rejected(ErrorCode.OVERLOADED, SaleInbox.FULL))));
    sale.tell(new SaleCommand.Get(replies.getRef()));
    assertThat(replies.expectMessageClass(SaleDetails.class, Duration.ofSeconds(10)).sale().reserved()).isEqualTo(1);
  }

  @Test
  void refusesRequestsAtOnceWhileItCannotRecoverFromAJournalFailure() {
    create();
    // The write fails, then three recoveries (after back-offs of about 0.2, 0.4 and 0.8 s): seconds in which the
    // entity cannot answer.
    journal.withPolicy(new FailAWriteThenReads(3));
    sale.tell(new SaleCommand.Reserve("alice", 1, null, null, replies.getRef()));
    assertThat(replies.expectMessageClass(Rejected.class, Duration.ofSeconds(10)).code()).isEqualTo(ErrorCode.OVERLOADED);

    sale.tell(new SaleCommand.Get(replies.getRef()));

    assertThat(replies.expectMessageClass(Rejected.class, Duration.ofMillis(500)))
        .isEqualTo(new Rejected(ErrorCode.OVERLOADED, SaleInbox.RECOVERING));
    replies.awaitAssert(Duration.ofSeconds(15), () -> {
      sale.tell(new SaleCommand.Get(replies.getRef()));
      SaleReply reply = replies.receiveMessage(Duration.ofSeconds(1));
      assertThat(reply).isInstanceOf(SaleDetails.class);
      assertThat(((SaleDetails) reply).sale().available()).as("the failed hold left no trace").isEqualTo(10);
      return null;
    });
  }

  /** The journal fails the next write, then the next {@code reads} reads (recoveries). */
  private static final class FailAWriteThenReads implements ProcessingPolicy<JournalOperation> {
    private boolean writeFailed;
    private int reads;

    FailAWriteThenReads(int reads) {
      this.reads = reads;
    }

    @Override
    public synchronized ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
      if (!writeFailed && operation instanceof WriteEvents) {
        writeFailed = true;
        return StorageFailure.create();
      }
      if (writeFailed && reads > 0 && (operation instanceof ReadEvents || operation == ReadSeqNum.getInstance())) {
        reads--;
        return StorageFailure.create();
      }
      return ProcessingSuccess.getInstance();
    }
  }

  private void create() {
    sale.tell(new SaleCommand.Create(SaleHarness.terms(10, 1, 300), null, null, replies.getRef()));
    replies.expectMessageClass(SaleDetails.class);
  }
}
