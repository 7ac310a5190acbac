package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.orderNo;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleEvent.HoldsExpired;
import com.flashsale.sale.SaleEvent.OrderCancelled;
import com.flashsale.sale.SaleEvent.OrderConfirmed;
import com.flashsale.sale.SaleEvent.PaymentDeclined;
import com.flashsale.sale.SaleEvent.PaymentStarted;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.ReadyToPay;
import com.flashsale.sale.SaleReply.Rejected;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Specifications of a {@link Sale}'s orders after the reservation: paying for a hold, who may pay,
 * read or cancel an order, and cancelling one.
 */
class SalePaymentTest extends SaleSpec {

  // ---- paying ----

  @Test
  void beginningPaymentRecordsTheAttemptBeforeTheGatewayIsCalled() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(10));

    var result = sale.beginPayment(orderNo, "alice", "attempt-1");

    assertThat(result.events()).containsExactly(new PaymentStarted(orderNo, sale.now(), "attempt-1"));
    OrderView order = result.replyOfType(ReadyToPay.class).order();
    assertThat(order.status()).isEqualTo(OrderStatus.RESERVED);
    assertThat(order.paymentStatus()).isEqualTo(PaymentStatus.PENDING);
    assertThat(sale.kit.getState().order(orderNo).paymentStartedAt()).isEqualTo(sale.now());
  }

  @Test
  void beginningTheSameAttemptAgainAnswersItWithoutWriting() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice", "attempt-1");

    var again = sale.beginPayment(orderNo, "alice", "attempt-1");

    assertThat(again.events()).isEmpty();
    assertThat(again.reply()).isInstanceOf(ReadyToPay.class);
  }

  @Test
  void refusesASecondAttemptWhileOneIsInDoubtEvenAfterTheGrace() {
    // A second charge must wait until the first attempt is settled: it may have been charged.
    sale.createLive(10, 1, 3_600);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice", "attempt-1");
    sale.advance(SaleHarness.PAYMENT_GRACE.plusSeconds(1));

    assertRejected(sale.beginPayment(orderNo, "alice", "attempt-2"), ErrorCode.OVERLOADED);
  }

  @Test
  void confirmingTheAttemptsChargeConfirmsTheOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice", "attempt-1");

    var result = sale.kit.<SaleReply>runCommand(replyTo ->
        new SaleCommand.ConfirmPayment(orderNo, "attempt-1", "pay-1", replyTo));

    assertThat(result.events()).containsExactly(new OrderConfirmed(orderNo, "pay-1", sale.now(), "attempt-1"));
    OrderView order = result.replyOfType(OrderDetails.class).order();
    assertThat(order.status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(order.paymentRef()).isEqualTo("pay-1");
    assertThat(order.paymentStatus()).isEqualTo(PaymentStatus.CAPTURED);
    SaleView stats = sale.stats();
    assertThat(stats.reserved()).isZero();
    assertThat(stats.confirmed()).isEqualTo(1);
    assertThat(stats.available()).isEqualTo(9);
  }

  @Test
  void payingAConfirmedOrderReturnsItUnchanged() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.bought("alice");
    OrderView paid = sale.order(orderNo);

    var confirmAgain = sale.confirm(orderNo, "pay-" + orderNo);
    var payAgain = sale.beginPayment(orderNo, "alice");

    assertThat(payAgain.events()).isEmpty();
    assertThat(payAgain.replyOfType(OrderDetails.class).order()).isEqualTo(paid);
    assertThat(confirmAgain.events()).isEmpty();
    assertThat(confirmAgain.replyOfType(OrderDetails.class).order()).isEqualTo(paid);
    assertThat(sale.stats().confirmed()).isEqualTo(1);
  }

  @Test
  void rejectsADifferentChargeForAConfirmedOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.bought("alice");

    assertRejected(sale.confirm(orderNo, "another-payment"), ErrorCode.ALREADY_CONFIRMED);
    assertThat(sale.order(orderNo).paymentRef()).isEqualTo("pay-" + orderNo);
  }

  @Test
  void neverConfirmsAChargeThatCameWhenTheHoldWasGone() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice");
    sale.gateway.captured(sale.attempt(orderNo), "pay-1"); // the sale gives it back: SalePaymentSettlementTest
    sale.advance(Duration.ofSeconds(301).plus(SaleHarness.PAYMENT_GRACE));
    sale.expireHolds();

    var result = sale.confirm(orderNo, "pay-1");

    assertThat(result.replyOfType(Rejected.class).code()).isEqualTo(ErrorCode.RESERVATION_EXPIRED);
    assertThat(result.events()).noneMatch(event -> event instanceof OrderConfirmed);
    assertThat(sale.statusOf(orderNo)).isEqualTo(OrderStatus.EXPIRED);
    assertThat(sale.stats().confirmed()).isZero();
    assertThat(sale.stats().available()).isEqualTo(10);
  }

  @Test
  void rejectsPaymentOnceTheHoldTimeRanOut() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(300));

    var result = sale.beginPayment(orderNo, "alice");

    assertThat(result.replyOfType(Rejected.class).code()).isEqualTo(ErrorCode.RESERVATION_EXPIRED);
    assertThat(result.events()).as("the dead hold is released first, nothing else is written")
        .containsExactly(new HoldsExpired(List.of(orderNo), sale.now()));
  }

  @Test
  void releasesADueHoldBeforeDecidingACancelSoItAnswersExpired() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(301));

    var result = sale.cancelOrder(orderNo, "alice");

    assertThat(result.replyOfType(Rejected.class).code()).isEqualTo(ErrorCode.RESERVATION_EXPIRED);
    assertThat(result.events()).containsExactly(new HoldsExpired(List.of(orderNo), sale.now()));
    assertThat(sale.stats().released()).isEqualTo(1);
  }

  @Test
  void declinedPaymentKeepsTheHoldAndAllowsAnotherAttempt() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice");

    var result = sale.decline(orderNo);

    assertThat(result.events()).containsExactly(new PaymentDeclined(orderNo, sale.now(), sale.attempt(orderNo)));
    OrderView order = result.replyOfType(OrderDetails.class).order();
    assertThat(order.status()).isEqualTo(OrderStatus.RESERVED);
    assertThat(order.paymentStatus()).isEqualTo(PaymentStatus.DECLINED);
    assertThat(sale.stats().reserved()).isEqualTo(1);
    assertThat(sale.beginPayment(orderNo, "alice").reply()).isInstanceOf(ReadyToPay.class);
  }

  @Test
  void aDeclineOfAnotherAttemptChangesNothing() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice", "attempt-1");

    var result = sale.kit.<SaleReply>runCommand(replyTo -> new SaleCommand.DeclinePayment(orderNo, "attempt-0", replyTo));

    assertThat(result.events()).isEmpty();
    assertThat(result.replyOfType(OrderDetails.class).order().paymentStatus()).isEqualTo(PaymentStatus.PENDING);
  }

  @Test
  void declinedHoldExpiresAtItsOwnTimeWithoutGrace() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(290));
    sale.beginPayment(orderNo, "alice");
    sale.decline(orderNo);
    sale.advance(Duration.ofSeconds(10));

    var result = sale.expireHolds();

    assertThat(result.events()).containsExactly(new HoldsExpired(List.of(orderNo), sale.now()));
  }

  // ---- whose order ----

  @Test
  void forbidsPayingSomeoneElsesOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");

    assertRejected(sale.beginPayment(orderNo, "mallory"), ErrorCode.FORBIDDEN);
  }

  @Test
  void forbidsCancellingSomeoneElsesOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");

    assertRejected(sale.cancelOrder(orderNo, "mallory"), ErrorCode.FORBIDDEN);
    assertThat(sale.order(orderNo).status()).isEqualTo(OrderStatus.RESERVED);
  }

  @Test
  void forbidsReadingSomeoneElsesOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");

    assertRejected(sale.getOrder(orderNo, "mallory"), ErrorCode.FORBIDDEN);
    assertThat(sale.getOrder(orderNo, "alice").replyOfType(OrderDetails.class).order().userId())
        .isEqualTo("alice");
  }

  @Test
  void letsAnAdminReadAnyOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");

    OrderView order = sale.getOrderAsAdmin(orderNo).replyOfType(OrderDetails.class).order();

    assertThat(order.userId()).isEqualTo("alice");
  }

  @Test
  void letsAnAdminCancelAnyOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");

    var result = sale.cancelOrderAsAdmin(orderNo);

    assertThat(result.events()).containsExactly(new OrderCancelled(orderNo, sale.now(), SaleHarness.ADMIN));
    assertThat(result.replyOfType(OrderDetails.class).order().status()).isEqualTo(OrderStatus.CANCELLED);
  }

  @Test
  void answersNotFoundForAnUnknownOrder() {
    sale.createLive(10, 1, 300);

    assertRejected(sale.getOrderAsAdmin(42), ErrorCode.NOT_FOUND);
    assertRejected(sale.beginPayment(42, "alice"), ErrorCode.NOT_FOUND);
    assertRejected(sale.confirm(42, "pay-42"), ErrorCode.NOT_FOUND);
    assertRejected(sale.decline(42), ErrorCode.NOT_FOUND);
    assertRejected(sale.cancelOrder(42, "alice"), ErrorCode.NOT_FOUND);
  }

  // ---- cancelling an order ----

  @Test
  void cancellingAnOrderPutsItsUnitsBackOnSale() {
    sale.createLive(10, 2, 300);
    long orderNo = orderNo(sale.reserve("alice", 2, null).replyOfType(OrderDetails.class).order());

    var result = sale.cancelOrder(orderNo, "alice");

    assertThat(result.events()).containsExactly(new OrderCancelled(orderNo, sale.now(), null));
    assertThat(result.replyOfType(OrderDetails.class).order().status()).isEqualTo(OrderStatus.CANCELLED);
    SaleView stats = sale.stats();
    assertThat(stats.available()).isEqualTo(10);
    assertThat(stats.reserved()).isZero();
    assertThat(stats.released()).isEqualTo(2);
  }

  @Test
  void rejectsCancellingAConfirmedOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.bought("alice");

    assertRejected(sale.cancelOrder(orderNo, "alice"), ErrorCode.ALREADY_CONFIRMED);
    assertThat(sale.stats().confirmed()).isEqualTo(1);
  }

  @Test
  void rejectsCancellingAnExpiredOrder() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.advance(Duration.ofSeconds(300));
    sale.expireHolds();

    assertRejected(sale.cancelOrder(orderNo, "alice"), ErrorCode.RESERVATION_EXPIRED);
    assertThat(sale.stats().released()).isEqualTo(1);
  }

  @Test
  void cancellingTwiceAnswersThatTheOrderWasReleased() {
    sale.createLive(10, 1, 300);
    long orderNo = sale.reserved("alice");
    sale.cancelOrder(orderNo, "alice").replyOfType(OrderDetails.class);

    var again = sale.cancelOrder(orderNo, "alice");

    assertThat(again.events()).isEmpty();
    assertRejected(again, ErrorCode.RESERVATION_EXPIRED);
    assertThat(sale.stats().released()).isEqualTo(1);
  }
}
