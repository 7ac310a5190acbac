package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.fingerprint;
import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleEvent.HoldsTaken;
import com.flashsale.sale.SaleEvent.HoldsTaken.Hold;
import com.flashsale.sale.SaleEvent.OrderCancelled;
import com.flashsale.sale.SaleEvent.UnitsReserved;
import com.flashsale.sale.SaleHarness.Batch;
import com.flashsale.sale.SaleHarness.Request;
import com.flashsale.sale.SaleReply.BatchWritten;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/architecture.md rule 3, group commit, on the entity: an {@code OrderBatch} (purchases, payment steps,
 * cancellations) is decided command by command in arrival order exactly as the same commands one at a
 * time would be, all of its events are written in one atomic write (or none are), rejections are
 * answered without waiting for that write, and each change is answered only after it is written.
 */
class SaleBatchTest extends SaleSpec {

  private static List<Request> buyers(int count) {
    return IntStream.range(0, count).mapToObj(i -> new Request("buyer-" + i, 1, null)).toList();
  }

  @Test
  void decidesInArrivalOrderAndWritesEveryHoldInOneEvent() {
    sale.createLive(3, 1, 300);

    Batch batch = sale.reserveBatch(testKit, buyers(5));

    assertThat(batch.result().events()).containsExactly(new HoldsTaken(sale.now(), sale.now().plusSeconds(300),
        List.of(new Hold(1, "buyer-0", 1, null), new Hold(2, "buyer-1", 1, null), new Hold(3, "buyer-2", 1, null))));
    assertThat(batch.result().reply()).isEqualTo(new BatchWritten(3));
    for (int i = 0; i < 3; i++) {
      OrderDetails details = (OrderDetails) batch.answer(i);
      assertThat(details.created()).isTrue();
      assertThat(details.order().id()).isEqualTo(sale.saleId + "-" + (i + 1));
      assertThat(details.order().userId()).isEqualTo("buyer-" + i);
    }
    assertThat(((Rejected) batch.answer(3)).code()).isEqualTo(ErrorCode.SOLD_OUT);
    assertThat(((Rejected) batch.answer(4)).code()).isEqualTo(ErrorCode.SOLD_OUT);
    assertThat(sale.stats().available()).isZero();
  }

  @Test
  void aBuyerTwiceInOneBatchGetsOneHoldAndAReusedKeyTheSameOrder() {
    sale.createLive(10, 2, 300);

    Batch batch = sale.reserveBatch(testKit, List.of(new Request("alice", 1, null), new Request("alice", 1, null),
        new Request("bob", 1, "k"), new Request("bob", 1, "k"), new Request("bob", 2, "k"),
        new Request("carol", 3, null)));

    OrderDetails first = (OrderDetails) batch.answer(0);
    OrderDetails again = (OrderDetails) batch.answer(1);
    assertThat(first.created()).isTrue();
    assertThat(again.created()).isFalse();
    assertThat(again.order().id()).isEqualTo(first.order().id());
    OrderDetails bobs = (OrderDetails) batch.answer(2);
    assertThat(((OrderDetails) batch.answer(3)).order().id()).isEqualTo(bobs.order().id());
    assertThat(((Rejected) batch.answer(4)).code()).isEqualTo(ErrorCode.IDEMPOTENCY_MISMATCH);
    assertThat(((Rejected) batch.answer(5)).code()).isEqualTo(ErrorCode.VALIDATION);
    assertThat(batch.result().events()).singleElement().isInstanceOfSatisfying(HoldsTaken.class,
        taken -> assertThat(taken.holds()).extracting(Hold::userId).containsExactly("alice", "bob"));
    assertThat(sale.stats().reserved()).isEqualTo(2);
  }

  /** Only consecutive reservations share an event, so the journal keeps the order the batch was decided in. */
  @Test
  void reservationsAroundAnotherChangeStayInTheirOrder() {
    sale.createLive(10, 1, 300);
    long alices = sale.reserved("alice");
    SaleCommand.OrderCommand cancel = new SaleCommand.CancelOrder(alices, "alice", false, null,
        testKit.createTestProbe(SaleReply.class).getRef());
    TestProbe<SaleReply> batchDone = testKit.createTestProbe(SaleReply.class);
    List<SaleCommand.OrderCommand> commands = List.of(reserve("bob"), reserve("carol"), cancel, reserve("dave"));

    var result = sale.kit.runCommand(new SaleCommand.OrderBatch(commands, batchDone.getRef()));

    Instant now = sale.now();
    Instant expires = now.plusSeconds(300);
    assertThat(result.events()).containsExactly(
        new HoldsTaken(now, expires, List.of(new Hold(2, "bob", 1, null), new Hold(3, "carol", 1, null))),
        new OrderCancelled(alices, now, null),
        new UnitsReserved(4, "dave", 1, null, now, expires));
    sale.kit.restart();
    assertThat(sale.stats().reserved()).isEqualTo(3);
    assertThat(sale.stats().available()).isEqualTo(7);
  }

  private SaleCommand.OrderCommand reserve(String buyer) {
    return new SaleCommand.Reserve(buyer, 1, null, null, testKit.createTestProbe(SaleReply.class).getRef());
  }

  @Test
  void releasesDueHoldsBeforeDecidingABatch() {
    sale.createLive(1, 1, 300);
    long first = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(301));

    Batch batch = sale.reserveBatch(testKit, buyers(1));

    assertThat(((OrderDetails) batch.answer(0)).created()).isTrue();
    assertThat(batch.result().events()).first().isEqualTo(new SaleEvent.HoldsExpired(List.of(first), sale.now()));
  }

  @Test
  void aBatchForASaleThatDoesNotExistIsRejectedRequestByRequest() {
    Batch batch = sale.reserveBatch(testKit, buyers(2));

    assertThat(batch.result().reply()).isEqualTo(new BatchWritten(0));
    assertThat(((Rejected) batch.answer(0)).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(((Rejected) batch.answer(1)).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  /** One of two attempts per order, so that payment steps sometimes meet the attempt in doubt and sometimes not. */
  private static String attempt(Random random, long orderNo) {
    return "attempt-" + orderNo + "-" + random.nextInt(2);
  }

  /**
   * The equivalence that makes batching safe: for random order commands (purchases by repeat buyers,
   * keys reused with other quantities, over-limit quantities, more demand than stock; payments begun,
   * confirmed and declined, cancellations by buyers, strangers and admins, on earlier orders and on
   * orders made in the same batch), one batch gives every command the same answer, and leaves the same
   * state, as one command at a time.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
      21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40})
  void aBatchDecidesExactlyAsTheSameCommandsOneAtATime(int seed) {
    Random random = new Random(seed);
    SaleHarness oneByOne = new SaleHarness(testKit.system(), new TestClock(SaleHarness.OPENS), SaleHarness.SETTINGS);
    for (SaleHarness harness : List.of(sale, oneByOne)) {
      harness.createLive(6, 2, 300);
      harness.reserve("u0", 1, "k0");
      harness.reserve("u1", 2, null);
      harness.reserve("u2", 1, null);
      harness.beginPayment(3, "u2", "attempt-3-0");
    }
    List<Function<ActorRef<SaleReply>, SaleCommand.OrderCommand>> commands = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String user = "u" + random.nextInt(6);
      long orderNo = 1 + random.nextInt(8);
      commands.add(switch (random.nextInt(7)) {
        case 0, 1, 2 -> {
          String key = switch (random.nextInt(4)) {
            case 0 -> "k0";
            case 1 -> "k1";
            default -> null;
          };
          int quantity = 1 + random.nextInt(3);
          yield replyTo -> new SaleCommand.Reserve(user, quantity, key, null, replyTo);
        }
        case 3 -> {
          String attempt = attempt(random, orderNo);
          yield replyTo -> new SaleCommand.BeginPayment(orderNo, user, attempt, null, replyTo);
        }
        case 4 -> {
          String attempt = attempt(random, orderNo);
          yield replyTo -> new SaleCommand.ConfirmPayment(orderNo, attempt, "pay-" + (orderNo % 2), replyTo);
        }
        case 5 -> {
          String attempt = attempt(random, orderNo);
          yield replyTo -> new SaleCommand.DeclinePayment(orderNo, attempt, replyTo);
        }
        default -> {
          boolean byAdmin = random.nextInt(5) == 0;
          yield replyTo -> new SaleCommand.CancelOrder(orderNo, user, byAdmin, null, replyTo);
        }
      });
    }

    Batch batch = sale.batch(testKit, commands);
    for (int i = 0; i < commands.size(); i++) {
      SaleReply alone = oneByOne.one(commands.get(i));
      assertThat(normalized(batch.answer(i), sale)).as("answer to command %d", i)
          .isEqualTo(normalized(alone, oneByOne));
    }
    assertThat(normalizedState(sale)).isEqualTo(normalizedState(oneByOne));
  }

  private static String normalized(SaleReply reply, SaleHarness harness) {
    return reply.toString().replace(harness.saleId, "SALE");
  }

  private static String normalizedState(SaleHarness harness) {
    return fingerprint(harness.kit.getState(), harness.now()).toString().replace(harness.saleId, "SALE");
  }
}
