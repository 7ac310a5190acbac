package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.OPENS;
import static com.flashsale.sale.SaleHarness.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.jackson.JacksonCborSerializer;
import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.testing.TestClock;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * What every specification of the {@link Sale} entity shares: one actor system per test class (the
 * test kit's in-memory journal and snapshot store, with the application's serialization.conf), and a
 * fresh sale per test with a {@link TestClock} starting at the sale's opening. Only the test moves time
 * (the entity's own timer waits in real time for {@link SaleHarness#EXPIRY_CHECK} or a hold's real
 * deadline, far longer than a test takes, so it never races with the {@code ExpireHolds} the tests send).
 */
abstract class SaleSpec {

  /** Started before and shut down after each test class; test classes run one at a time. */
  static ActorTestKit testKit;

  SaleHarness sale;

  @BeforeAll
  static void startTestKit(TestInfo info) {
    testKit = ActorTestKit.create(info.getTestClass().orElseThrow().getSimpleName(),
        EventSourcedBehaviorTestKit.config()
            .withFallback(ConfigFactory.parseResources("serialization.conf"))
            .withFallback(ConfigFactory.parseString("akka.loglevel = WARNING")));
  }

  @BeforeEach
  void newSale() {
    sale = new SaleHarness(testKit.system(), new TestClock(OPENS), SETTINGS);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static void assertRejected(CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply> result,
      ErrorCode code) {
    assertThat(result.replyOfType(Rejected.class).code()).isEqualTo(code);
    assertThat(result.events()).as("a rejection writes nothing").isEmpty();
  }

  static byte[] cbor(Object value) {
    Serializer serializer = serialization().findSerializerFor(value);
    assertThat(serializer).isInstanceOf(JacksonCborSerializer.class);
    return serializer.toBinary(value);
  }

  static Serialization serialization() {
    return SerializationExtension.get(testKit.system().classicSystem());
  }
}
