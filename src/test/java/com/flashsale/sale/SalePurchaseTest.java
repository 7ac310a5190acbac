package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.CLOSES;
import static com.flashsale.sale.SaleHarness.OPENS;
import static com.flashsale.sale.SaleHarness.PRICE;
import static com.flashsale.sale.SaleHarness.orderNo;
import static com.flashsale.sale.SaleHarness.terms;
import static org.assertj.core.api.Assertions.assertThat;

import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleEvent.SaleCreated;
import com.flashsale.sale.SaleEvent.UnitsReserved;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.Rejected;
import com.flashsale.sale.SaleReply.SaleDetails;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Specifications of buying from a {@link Sale}: creating it, reserving units within its window, stock
 * and per-user limit, repeated and idempotent requests, and rejected attempts leaving the state as it was.
 */
class SalePurchaseTest extends SaleSpec {

  // ---- deadlines ----

  @Test
  void doesNotDecideARequestWhoseCallerHasGivenUp() {
    sale.createLive(10, 1, 300);
    Instant gaveUp = Instant.now().minusMillis(1);

    var late = sale.kit.<SaleReply>runCommand(replyTo -> new SaleCommand.Reserve("alice", 1, "key-1", gaveUp, replyTo));

    assertRejected(late, ErrorCode.OVERLOADED);
    assertThat(sale.stats().available()).isEqualTo(10);
    assertThat(sale.reserve("alice", 1, "key-1").replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void decidesTheRequestsOfABatchWhoseCallersStillWaitAndAnswersTheOthersAtOnce() {
    sale.createLive(10, 1, 300);
    Instant gaveUp = Instant.now().minusMillis(1);
    Instant waiting = Instant.now().plusSeconds(60);

    SaleHarness.Batch batch = sale.batch(testKit, List.of(
        replyTo -> new SaleCommand.Reserve("alice", 1, null, gaveUp, replyTo),
        replyTo -> new SaleCommand.Reserve("bob", 1, null, waiting, replyTo)));

    assertThat(batch.answer(0)).isInstanceOf(Rejected.class);
    assertThat(((OrderDetails) batch.answer(1)).order().userId()).isEqualTo("bob");
    assertThat(sale.stats().reserved()).isEqualTo(1);
  }

  @Test
  void doesNotChangeASaleForAnAdminWhoHasGivenUp() {
    sale.createLive(10, 1, 300);

    var late = sale.kit.<SaleReply>runCommand(replyTo ->
        new SaleCommand.ChangeSale(null, null, 5, null, null, null, Instant.now().minusMillis(1), replyTo));

    assertRejected(late, ErrorCode.OVERLOADED);
    assertThat(sale.stats().stock()).isEqualTo(10);
  }

  // ---- creating ----

  @Test
  void createsASaleWithItsTerms() {
    var result = sale.create(terms(10, 2, 300));

    assertThat(result.events()).containsExactly(
        new SaleCreated(sale.saleId, "product-1", PRICE, 10, OPENS, CLOSES, 2, 300, OPENS, SaleHarness.ADMIN));
    assertThat(result.replyOfType(SaleDetails.class).sale()).isEqualTo(
        new SaleView(sale.saleId, "product-1", PRICE, 10, 10, 0, 0, 0, SaleStatus.LIVE, OPENS, CLOSES, 2, 300, null));
  }

  static Stream<Arguments> invalidTerms() {
    return Stream.of(
        Arguments.of("no stock", terms(0, 1, 300)),
        Arguments.of("stock above the bound", terms(SaleDecisions.MAX_STOCK + 1, 1, 300)),
        Arguments.of("no per-user limit", terms(10, 0, 300)),
        Arguments.of("no hold time", terms(10, 1, 0)),
        Arguments.of("start equal to end", new SaleTerms("product-1", PRICE, 10, OPENS, OPENS, 1, 300)),
        Arguments.of("start after end", new SaleTerms("product-1", PRICE, 10, CLOSES, OPENS, 1, 300)));
  }

  @ParameterizedTest(name = "rejectsInvalidTerms: {0}")
  @MethodSource("invalidTerms")
  void rejectsInvalidTerms(String why, SaleTerms invalid) {
    var result = sale.create(invalid);

    assertRejected(result, ErrorCode.VALIDATION);
    assertRejected(sale.get(), ErrorCode.NOT_FOUND);
  }

  @Test
  void answersNotFoundToEveryCommandBeforeTheSaleIsCreated() {
    List<CommandResultWithReply<SaleCommand, SaleEvent, SaleState, SaleReply>> results = List.of(
        sale.reserve("alice"), sale.beginPayment(1, "alice"), sale.confirm(1, "pay-1"), sale.decline(1),
        sale.cancelOrder(1, "alice"), sale.getOrder(1, "alice"),
        sale.change(null, null, 5), sale.cancelSale(), sale.get());

    assertThat(results).allSatisfy(result -> assertRejected(result, ErrorCode.NOT_FOUND));
    assertThat(sale.expireHolds().events()).isEmpty();
  }

  // ---- reserving ----

  @Test
  void reservesUnitsAndAnswersWithTheNewOrder() {
    sale.createLive(10, 2, 300);
    sale.advance(Duration.ofSeconds(5));
    Instant now = sale.now();

    var result = sale.reserve("alice", 2, null);

    assertThat(result.events()).containsExactly(
        new UnitsReserved(1, "alice", 2, null, now, now.plusSeconds(300)));
    OrderDetails details = result.replyOfType(OrderDetails.class);
    assertThat(details.created()).isTrue();
    assertThat(details.order()).isEqualTo(new OrderView(sale.saleId + "-1", sale.saleId, "alice", 2, PRICE,
        new BigDecimal("1999.98"), OrderStatus.RESERVED, now, now.plusSeconds(300), null, null));
    SaleView stats = sale.stats();
    assertThat(stats.available()).isEqualTo(8);
    assertThat(stats.reserved()).isEqualTo(2);
  }

  @Test
  void rejectsPurchaseBeforeTheStart() {
    sale.setTime(OPENS.minusSeconds(60));
    sale.createLive(10, 1, 300);

    var result = sale.reserve("alice");

    assertRejected(result, ErrorCode.NOT_STARTED);
    assertThat(result.replyOfType(Rejected.class).detail()).contains(OPENS.toString());
  }

  @Test
  void acceptsPurchaseFromTheStartInstant() {
    sale.setTime(OPENS.minusSeconds(60));
    sale.createLive(10, 1, 300);
    sale.setTime(OPENS);

    var result = sale.reserve("alice");

    assertThat(result.replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void rejectsPurchaseFromTheEndInstant() {
    sale.createLive(10, 1, 300);
    sale.setTime(CLOSES);

    assertRejected(sale.reserve("alice"), ErrorCode.SALE_ENDED);
  }

  @Test
  void rejectsPurchaseWhenTheSaleIsCancelled() {
    sale.createLive(10, 1, 300);
    sale.cancelSale();

    assertRejected(sale.reserve("alice"), ErrorCode.SALE_CANCELLED);
  }

  @Test
  void rejectsPurchaseWhenSoldOut() {
    sale.createLive(1, 1, 300);
    sale.reserved("alice");

    var result = sale.reserve("bob");

    assertRejected(result, ErrorCode.SOLD_OUT);
    assertThat(sale.stats().status()).isEqualTo(SaleStatus.SOLD_OUT);
  }

  @Test
  void rejectsPurchaseOfMoreUnitsThanAreLeft() {
    sale.createLive(3, 2, 300);
    sale.reserve("alice", 2, null);

    assertRejected(sale.reserve("bob", 2, null), ErrorCode.SOLD_OUT);
    assertThat(sale.stats().available()).isEqualTo(1);
  }

  @Test
  void neverSellsMoreUnitsThanItsStock() {
    sale.createLive(10, 1, 300);
    int reserved = 0;
    int soldOut = 0;

    for (int i = 0; i < 25; i++) {
      SaleReply reply = sale.reserve("buyer-" + i).reply();
      if (reply instanceof OrderDetails details && details.created()) {
        reserved++;
      } else if (reply instanceof Rejected rejected && rejected.code() == ErrorCode.SOLD_OUT) {
        soldOut++;
      }
    }

    assertThat(reserved).isEqualTo(10);
    assertThat(soldOut).isEqualTo(15);
    SaleView stats = sale.stats();
    assertThat(stats.available()).isZero();
    assertThat(stats.reserved()).isEqualTo(10);
    assertThat(sale.kit.persistenceTestKit().persistedInStorage(sale.persistenceId()))
        .filteredOn(UnitsReserved.class::isInstance).hasSize(10);
  }

  @Test
  void rejectsQuantityOutsideOneToThePerUserLimit() {
    sale.createLive(10, 2, 300);

    assertRejected(sale.reserve("alice", 3, null), ErrorCode.VALIDATION);
    assertRejected(sale.reserve("alice", 0, null), ErrorCode.VALIDATION);
  }

  @Test
  void rejectsBuyerWhoWouldGoOverThePerUserLimit() {
    sale.createLive(10, 2, 300);
    sale.bought("alice");

    assertRejected(sale.reserve("alice", 2, null), ErrorCode.LIMIT_REACHED);
    assertThat(sale.reserve("alice", 1, null).replyOfType(OrderDetails.class).created()).isTrue();
    assertRejected(sale.reserve("bob-is-not-alice", 3, null), ErrorCode.VALIDATION);
  }

  @Test
  void returnsTheExistingHoldWhenTheBuyerAsksAgain() {
    sale.createLive(10, 1, 300);
    OrderView first = sale.reserve("alice").replyOfType(OrderDetails.class).order();

    var again = sale.reserve("alice");

    assertThat(again.events()).isEmpty();
    assertThat(again.replyOfType(OrderDetails.class)).isEqualTo(new OrderDetails(first, false));
    assertThat(sale.stats().reserved()).isEqualTo(1);
  }

  @Test
  void buyerMayReserveAgainAfterCancelling() {
    sale.createLive(10, 1, 300);
    long first = sale.reserved("alice");
    sale.cancelOrder(first, "alice");

    var again = sale.reserve("alice");

    OrderDetails details = again.replyOfType(OrderDetails.class);
    assertThat(details.created()).isTrue();
    assertThat(orderNo(details.order())).isEqualTo(first + 1);
  }

  @Test
  void replaysAnIdempotencyKeyWithTheSameOrder() {
    sale.createLive(10, 1, 300);
    OrderView first = sale.reserve("alice", 1, "key-1").replyOfType(OrderDetails.class).order();
    sale.beginPayment(orderNo(first), "alice");
    sale.confirm(orderNo(first), "pay-1");

    var replay = sale.reserve("alice", 1, "key-1");

    assertThat(replay.events()).isEmpty();
    OrderDetails details = replay.replyOfType(OrderDetails.class);
    assertThat(details.created()).isFalse();
    assertThat(details.order().id()).isEqualTo(first.id());
    assertThat(details.order().status()).isEqualTo(OrderStatus.CONFIRMED);
  }

  @Test
  void aHoldWithoutAKeyTakesTheFirstKeyItIsAnsweredWith() {
    sale.createLive(10, 2, 300);
    OrderView hold = sale.reserve("alice", 1, null).replyOfType(OrderDetails.class).order();

    var answeredWithHold = sale.reserve("alice", 1, "key-b");
    sale.beginPayment(orderNo(hold), "alice");
    sale.confirm(orderNo(hold), "pay-1");
    var replay = sale.reserve("alice", 1, "key-b");

    assertThat(answeredWithHold.events()).containsExactly(
        new SaleEvent.IdempotencyKeyBound(orderNo(hold), "alice", "key-b", 1, sale.now()));
    assertThat(replay.events()).isEmpty();
    assertThat(replay.replyOfType(OrderDetails.class).order().id()).isEqualTo(hold.id());
  }

  /** New keys would otherwise grow the sale without bound: each was an event and an entry for ever. */
  @Test
  void aHoldTakesOneIdempotencyKeyOnly() {
    sale.createLive(10, 2, 300);
    OrderView hold = sale.reserve("alice", 1, "key-a").replyOfType(OrderDetails.class).order();

    var otherKeys = IntStream.range(0, 20).mapToObj(i -> sale.reserve("alice", 1, "key-" + i)).toList();

    assertThat(otherKeys).allSatisfy(answer -> {
      assertThat(answer.events()).isEmpty();
      assertThat(answer.replyOfType(OrderDetails.class).order().id()).isEqualTo(hold.id());
    });
    assertThat(sale.kit.getState().toSnapshot().ordersByIdempotencyKey()).hasSize(1);
    assertThat(sale.reserve("alice", 1, "key-a").replyOfType(OrderDetails.class).order().id()).isEqualTo(hold.id());
  }

  @Test
  void theSameKeyAndRequestGetTheSameAnswerEvenWhenBoundToAHoldOfAnotherQuantity() {
    sale.createLive(10, 2, 300);
    OrderView hold = sale.reserve("alice", 1, null).replyOfType(OrderDetails.class).order();

    OrderView first = sale.reserve("alice", 2, "key-2").replyOfType(OrderDetails.class).order();
    OrderView again = sale.reserve("alice", 2, "key-2").replyOfType(OrderDetails.class).order();
    sale.kit.restart();
    OrderView afterRestart = sale.reserve("alice", 2, "key-2").replyOfType(OrderDetails.class).order();

    assertThat(List.of(first.id(), again.id(), afterRestart.id())).containsOnly(hold.id());
    assertRejected(sale.reserve("alice", 1, "key-2"), ErrorCode.IDEMPOTENCY_MISMATCH);
  }

  @Test
  void keysBoundToAHoldOfAnotherQuantitySurviveASnapshot() {
    SaleState state = SaleState.blank("sale")
        .apply(new SaleEvent.SaleCreated("sale", "product-1", PRICE, 10, OPENS, CLOSES, 2, 300, OPENS, null))
        .apply(new UnitsReserved(1, "alice", 1, null, OPENS, OPENS.plusSeconds(300)))
        .apply(new SaleEvent.IdempotencyKeyBound(1, "alice", "key-2", 2, OPENS));

    SaleState restored = SaleState.fromSnapshot(state.toSnapshot());

    Order order = restored.orderByIdempotencyKey("alice", "key-2");
    assertThat(restored.requestedQuantity("alice", "key-2", order)).isEqualTo(2);
    assertThat(restored.createdWith()).isEqualTo(terms(10, 2, 300));
  }

  @Test
  void aBuyerWhoseHoldRanOutGetsANewHoldEvenBeforeTheSweep() {
    sale.createLive(1, 1, 300);
    long first = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(301));

    var again = sale.reserve("alice");

    OrderDetails details = again.replyOfType(OrderDetails.class);
    assertThat(details.created()).isTrue();
    assertThat(details.order().id()).isNotEqualTo(sale.saleId + "-" + first);
    assertThat(again.events()).hasSize(2).first().isEqualTo(new SaleEvent.HoldsExpired(List.of(first), sale.now()));
  }

  @Test
  void rejectsAnIdempotencyKeyReusedForADifferentQuantity() {
    sale.createLive(10, 2, 300);
    sale.reserve("alice", 1, "key-1");

    assertRejected(sale.reserve("alice", 2, "key-1"), ErrorCode.IDEMPOTENCY_MISMATCH);
  }

  @Test
  void keepsIdempotencyKeysPerBuyer() {
    sale.createLive(10, 1, 300);
    OrderView alices = sale.reserve("alice", 1, "key-1").replyOfType(OrderDetails.class).order();

    OrderDetails bobs = sale.reserve("bob", 1, "key-1").replyOfType(OrderDetails.class);

    assertThat(bobs.created()).isTrue();
    assertThat(bobs.order().id()).isNotEqualTo(alices.id());
  }

  // ---- state size ----

  @Test
  void rejectedAttemptsLeaveNoTraceInTheState() {
    sale.createLive(3, 1, 300);
    sale.reserved("alice");
    sale.reserved("bob");
    sale.bought("carol");
    SaleSnapshot before = sale.kit.getState().toSnapshot();
    int bytesBefore = cbor(before).length;

    for (int i = 0; i < 1_000; i++) {
      assertRejected(sale.reserve("late-buyer-" + i), ErrorCode.SOLD_OUT);
    }

    SaleSnapshot after = sale.kit.getState().toSnapshot();
    assertThat(after.orders()).containsExactlyInAnyOrderElementsOf(before.orders());
    assertThat(after.lastOrderNo()).isEqualTo(before.lastOrderNo());
    assertThat(cbor(after).length).isEqualTo(bytesBefore);
  }
}
