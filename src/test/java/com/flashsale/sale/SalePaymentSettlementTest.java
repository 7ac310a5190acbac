package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.ErrorCode;
import com.flashsale.payment.PaymentGateway.ChargeStatus;
import com.flashsale.sale.SaleEvent.OrderConfirmed;
import com.flashsale.sale.SaleEvent.PaymentDeclined;
import com.flashsale.sale.SaleEvent.PaymentRefunded;
import com.flashsale.sale.SaleReply.OrderDetails;
import java.time.Duration;
import java.util.List;
import com.flashsale.testing.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md rule 9, no lost or doubled charge: a payment attempt whose outcome its caller never recorded
 * (its node died between the charge and the confirmation, the confirmation timed out, the gateway's answer
 * was lost) is settled by the sale itself, by the attempt's key at the gateway: it ends CONFIRMED with its
 * one captured charge, or released with the charge given back (a refund is an event), or with its key
 * closed when nothing was charged. The gateway here is {@link ScriptedGateway}; each settlement step runs
 * when the entity ticks ({@code ExpireHolds}) or changes.
 */
class SalePaymentSettlementTest extends SaleSpec {

  private static final Duration SETTLE_AFTER = Duration.ofSeconds(10);

  @BeforeEach
  void saleSettlingAfterTenSeconds() {
    sale = new SaleHarness(testKit.system(), new TestClock(SaleHarness.OPENS), SaleHarness.settings(1_000, SETTLE_AFTER));
  }

  @Test
  void confirmsTheOrderWithTheChargeOfAnAttemptWhoseCallerNeverRecordedIt() {
    long orderNo = aPaymentInDoubt(3_600, "pay-1");
    String attempt = sale.attempt(orderNo);

    sale.advance(SETTLE_AFTER.minusSeconds(1));
    sale.expireHolds();
    assertThat(sale.gateway.calls).as("not settled before settle-after").isEmpty();
    sale.advance(Duration.ofSeconds(1));
    settleUntilJournalHas(new OrderConfirmed(orderNo, "pay-1", sale.now(), attempt));

    OrderView order = sale.order(orderNo);
    assertThat(order.status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(order.paymentStatus()).isEqualTo(PaymentStatus.CAPTURED);
    assertThat(sale.stats().confirmed()).isEqualTo(1);
    assertThat(sale.gateway.chargeUnder(attempt).status()).isEqualTo(ChargeStatus.CAPTURED);
  }

  @Test
  void aSecondPayAfterTheGraceGetsTheFirstAttemptsChargeAndChargesNothingMore() {
    sale.createLive(10, 1, 3_600);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice", "attempt-1");
    sale.gateway.captured("attempt-1", "pay-1");
    sale.advance(SaleHarness.PAYMENT_GRACE.plusSeconds(1));

    assertRejected(sale.beginPayment(orderNo, "alice", "attempt-2"), ErrorCode.OVERLOADED);
    settleUntilJournalHas(new OrderConfirmed(orderNo, "pay-1", sale.now(), "attempt-1"));
    var secondPay = sale.beginPayment(orderNo, "alice", "attempt-2");

    assertThat(secondPay.events()).isEmpty();
    assertThat(secondPay.replyOfType(OrderDetails.class).order().paymentRef()).isEqualTo("pay-1");
    assertThat(sale.gateway.ledger).containsOnlyKeys("attempt-1");
  }

  @Test
  void givesBackTheChargeOfAnAttemptWhoseHoldWasGone() {
    long orderNo = aPaymentInDoubt(300, "pay-1");
    String attempt = sale.attempt(orderNo);
    sale.advance(Duration.ofSeconds(300).plus(SaleHarness.PAYMENT_GRACE));

    settleUntilJournalHas(new PaymentRefunded(orderNo, "pay-1", sale.now(), attempt));

    // Its payment settled, the expired order leaves the sale's state; the journal keeps the refund.
    assertThat(sale.statusOf(orderNo)).isEqualTo(OrderStatus.EXPIRED);
    assertThat(sale.kit.getState().order(orderNo)).isNull();
    assertThat(sale.gateway.chargeUnder(attempt).status()).isEqualTo(ChargeStatus.REFUNDED);
    assertThat(sale.stats().available()).isEqualTo(10);
  }

  @Test
  void closesTheKeyOfAnAttemptThatChargedNothingAndAllowsAnother() {
    long orderNo = aPaymentInDoubt(3_600, null);
    String attempt = sale.attempt(orderNo);
    sale.advance(SETTLE_AFTER);

    settleUntilJournalHas(new PaymentDeclined(orderNo, sale.now(), attempt));

    assertThat(sale.gateway.chargeUnder(attempt).status()).as("a charge still on its way is refused")
        .isEqualTo(ChargeStatus.VOIDED);
    assertThat(sale.order(orderNo).paymentStatus()).isEqualTo(PaymentStatus.DECLINED);
    assertThat(sale.beginPayment(orderNo, "alice").reply()).isInstanceOf(SaleReply.ReadyToPay.class);
  }

  @Test
  void triesARefundThatFailedAgain() {
    long orderNo = aPaymentInDoubt(300, "pay-1");
    String attempt = sale.attempt(orderNo);
    sale.gateway.refundsToFail.set(1);
    sale.advance(Duration.ofSeconds(300).plus(SaleHarness.PAYMENT_GRACE));

    settleUntilJournalHas(new PaymentRefunded(orderNo, "pay-1", sale.now(), attempt));

    assertThat(sale.gateway.calls.stream().filter(call -> call.startsWith("refund")).count()).isEqualTo(2);
    assertThat(sale.gateway.chargeUnder(attempt).status()).isEqualTo(ChargeStatus.REFUNDED);
  }

  @Test
  void waitsForAGatewayThatIsDown() {
    long orderNo = aPaymentInDoubt(3_600, "pay-1");
    String attempt = sale.attempt(orderNo);
    sale.gateway.down = true;
    sale.advance(SETTLE_AFTER);
    sale.expireHolds();
    testKit.createTestProbe().awaitAssert(() -> {
      assertThat(sale.gateway.calls).contains("lookUp " + attempt);
      return null;
    });
    assertThat(sale.order(orderNo).paymentStatus()).isEqualTo(PaymentStatus.PENDING);

    sale.gateway.down = false;

    settleUntilJournalHas(new OrderConfirmed(orderNo, "pay-1", sale.now(), attempt));
  }

  @Test
  void settlesTheAttemptsInDoubtAfterARestart() {
    long orderNo = aPaymentInDoubt(3_600, "pay-1");
    String attempt = sale.attempt(orderNo);
    sale.advance(SETTLE_AFTER);

    sale.kit.restart(); // recovery settles what is due, with no command

    awaitJournal(new OrderConfirmed(orderNo, "pay-1", sale.now(), attempt));
  }

  @Test
  void aConfirmationArrivingAfterTheSaleSettledTheAttemptChangesNothing() {
    long orderNo = aPaymentInDoubt(3_600, "pay-1");
    sale.advance(SETTLE_AFTER);
    settleUntilJournalHas(new OrderConfirmed(orderNo, "pay-1", sale.now(), sale.attempt(orderNo)));

    var late = sale.confirm(orderNo, "pay-1");

    assertThat(late.events()).isEmpty();
    assertThat(late.replyOfType(OrderDetails.class).order().status()).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(sale.stats().confirmed()).isEqualTo(1);
  }

  /**
   * A live sale of 10 units held {@code holdSeconds}; alice holds one and began paying for it, and the gateway
   * captured {@code charge} under the attempt's key (none if null) but the outcome was never recorded.
   */
  private long aPaymentInDoubt(int holdSeconds, String charge) {
    sale.createLive(10, 1, holdSeconds);
    long orderNo = sale.reserved("alice");
    sale.beginPayment(orderNo, "alice");
    if (charge != null) {
      sale.gateway.captured(sale.attempt(orderNo), charge);
    }
    return orderNo;
  }

  /** Ticks the entity (each tick may start or retry a settlement step) until the journal holds {@code event}. */
  private void settleUntilJournalHas(SaleEvent event) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(200), () -> {
      sale.expireHolds();
      assertThat(journal()).contains(event);
      return null;
    });
    assertThat(journal()).containsOnlyOnce(event);
  }

  private void awaitJournal(SaleEvent event) {
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(15), () -> {
      assertThat(journal()).containsOnlyOnce(event);
      return null;
    });
  }

  private List<Object> journal() {
    return sale.kit.persistenceTestKit().persistedInStorage(sale.persistenceId());
  }
}
