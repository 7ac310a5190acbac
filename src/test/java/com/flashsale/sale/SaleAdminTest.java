package com.flashsale.sale;

import static com.flashsale.sale.SaleHarness.ADMIN;
import static com.flashsale.sale.SaleHarness.CLOSES;
import static com.flashsale.sale.SaleHarness.OPENS;
import static com.flashsale.sale.SaleHarness.orderNo;
import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleEvent.SaleCancelled;
import com.flashsale.sale.SaleEvent.SaleRescheduled;
import com.flashsale.sale.SaleEvent.StockAdded;
import com.flashsale.sale.SaleReply.OrderDetails;
import com.flashsale.sale.SaleReply.SaleDetails;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Specifications of administering a {@link Sale}: adding stock, rescheduling, cancelling the sale, the
 * stock balance that holds after every step, and listing a buyer's orders.
 */
class SaleAdminTest extends SaleSpec {

  // ---- admin changes ----

  @Test
  void addingStockGrowsStockAndAvailableAndReopensASoldOutSale() {
    sale.createLive(1, 1, 300);
    sale.bought("alice");

    var result = sale.change(null, null, 5);

    assertThat(result.events()).containsExactly(new StockAdded(5, sale.now(), ADMIN));
    SaleView view = result.replyOfType(SaleDetails.class).sale();
    assertThat(view.stock()).isEqualTo(6);
    assertThat(view.available()).isEqualTo(5);
    assertThat(view.status()).isEqualTo(SaleStatus.LIVE);
    assertThat(sale.reserve("bob").replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void aChangeRetriedWithItsIdempotencyKeyAddsStockOnce() {
    sale.createLive(10, 1, 300);

    var first = sale.change(null, null, 5, "key-1");
    var retry = sale.change(null, null, 5, "key-1");
    sale.kit.restart();
    var afterRestart = sale.change(null, null, 5, "key-1");

    assertThat(first.events()).containsExactly(new StockAdded(5, sale.now(), ADMIN),
        new SaleEvent.ChangeKeyBound("key-1", null, null, 5, sale.now()));
    assertThat(retry.events()).isEmpty();
    assertThat(afterRestart.events()).isEmpty();
    assertThat(afterRestart.replyOfType(SaleDetails.class).sale().stock()).isEqualTo(15);
    assertRejected(sale.change(null, null, 6, "key-1"), ErrorCode.IDEMPOTENCY_MISMATCH);
    assertThat(sale.change(null, null, 6, "key-2").replyOfType(SaleDetails.class).sale().stock()).isEqualTo(21);
  }

  @Test
  void aCreateRetriedWithItsTermsAnswersTheSaleAndOtherTermsAreRefused() {
    sale.createLive(10, 1, 300);
    sale.reserved("alice");

    var retry = sale.create(SaleHarness.terms(10, 1, 300));
    var other = sale.create(SaleHarness.terms(11, 1, 300));

    assertThat(retry.events()).isEmpty();
    assertThat(retry.replyOfType(SaleDetails.class).sale().reserved()).isEqualTo(1);
    assertRejected(other, ErrorCode.IDEMPOTENCY_MISMATCH);
  }

  @Test
  void rejectsShrinkingTheStock() {
    sale.createLive(10, 1, 300);

    assertRejected(sale.change(null, null, -1), ErrorCode.VALIDATION);
    assertThat(sale.stats().stock()).isEqualTo(10);
  }

  @Test
  void movesTheStartBeforeTheSaleStarts() {
    sale.setTime(OPENS.minus(Duration.ofHours(1)));
    sale.createLive(10, 1, 300);
    Instant earlier = OPENS.minus(Duration.ofMinutes(30));

    var result = sale.change(earlier, null, 0);

    assertThat(result.events()).containsExactly(new SaleRescheduled(earlier, CLOSES, sale.now(), ADMIN));
    assertThat(result.replyOfType(SaleDetails.class).sale().startsAt()).isEqualTo(earlier);
    sale.setTime(earlier);
    assertThat(sale.reserve("alice").replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void rejectsMovingTheStartOfAStartedSale() {
    sale.createLive(10, 1, 300);

    assertRejected(sale.change(OPENS.plus(Duration.ofMinutes(5)), null, 0), ErrorCode.INVALID_TRANSITION);
    assertThat(sale.stats().startsAt()).isEqualTo(OPENS);
  }

  @Test
  void movesTheEndWhileTheSaleIsNotEnded() {
    sale.createLive(10, 1, 300);
    Instant later = CLOSES.plus(Duration.ofHours(1));

    var result = sale.change(null, later, 0);

    assertThat(result.events()).containsExactly(new SaleRescheduled(OPENS, later, sale.now(), ADMIN));
    sale.setTime(CLOSES);
    assertThat(sale.reserve("alice").replyOfType(OrderDetails.class).created()).isTrue();
  }

  @Test
  void rejectsAScheduleWhoseStartIsNotBeforeItsEnd() {
    sale.setTime(OPENS.minus(Duration.ofHours(1)));
    sale.createLive(10, 1, 300);

    assertRejected(sale.change(CLOSES, null, 0), ErrorCode.VALIDATION);
    assertRejected(sale.change(null, OPENS, 0), ErrorCode.VALIDATION);
    assertRejected(sale.change(CLOSES.plusSeconds(1), CLOSES, 0), ErrorCode.VALIDATION);
  }

  @Test
  void rejectsChangesToAnEndedSale() {
    sale.createLive(10, 1, 300);
    sale.setTime(CLOSES);

    assertRejected(sale.change(null, CLOSES.plus(Duration.ofHours(1)), 0), ErrorCode.INVALID_TRANSITION);
    assertRejected(sale.change(null, null, 5), ErrorCode.INVALID_TRANSITION);
    assertRejected(sale.cancelSale(), ErrorCode.INVALID_TRANSITION);
  }

  @Test
  void cancellingTheSaleReleasesItsOpenHolds() {
    sale.createLive(10, 1, 300);
    long alices = sale.bought("alice");
    long bobs = sale.reserved("bob");
    long carols = sale.reserved("carol");
    sale.beginPayment(carols, "carol");

    var result = sale.cancelSale();

    assertThat(result.events()).containsExactly(new SaleCancelled(List.of(bobs, carols), sale.now(), ADMIN));
    SaleView view = result.replyOfType(SaleDetails.class).sale();
    assertThat(view.status()).isEqualTo(SaleStatus.CANCELLED);
    assertThat(view.available()).isEqualTo(9);
    assertThat(view.reserved()).isZero();
    assertThat(view.confirmed()).isEqualTo(1);
    assertThat(view.released()).isEqualTo(2);
    assertThat(sale.statusOf(bobs)).isEqualTo(OrderStatus.CANCELLED);
    assertThat(sale.statusOf(carols)).isEqualTo(OrderStatus.CANCELLED);
    assertThat(sale.order(alices).status()).isEqualTo(OrderStatus.CONFIRMED);
  }

  @Test
  void payingAnOrderOfACancelledSaleAnswersSaleCancelled() {
    sale.createLive(10, 1, 300);
    long bobs = sale.reserved("bob");
    long carols = sale.reserved("carol");
    sale.beginPayment(carols, "carol");
    sale.cancelSale();

    assertRejected(sale.beginPayment(bobs, "bob"), ErrorCode.SALE_CANCELLED);
    assertRejected(sale.confirm(carols, "pay-approved-too-late"), ErrorCode.SALE_CANCELLED);
    assertThat(sale.stats().confirmed()).isZero();
  }

  @Test
  void rejectsChangesToACancelledSale() {
    sale.createLive(10, 1, 300);
    sale.cancelSale();

    assertRejected(sale.change(null, null, 5), ErrorCode.INVALID_TRANSITION);
    assertRejected(sale.change(null, CLOSES.plusSeconds(60), 0), ErrorCode.INVALID_TRANSITION);
  }

  @Test
  void cancellingACancelledSaleAnswersTheCancelledSale() {
    sale.createLive(10, 1, 300);
    sale.cancelSale();

    var again = sale.cancelSale();

    assertThat(again.events()).isEmpty();
    assertThat(again.replyOfType(SaleDetails.class).sale().status()).isEqualTo(SaleStatus.CANCELLED);
  }

  // ---- the stock balance ----

  @Test
  void keepsAvailablePlusReservedPlusConfirmedEqualToStockAfterEveryStep() {
    List<SaleView> seen = new ArrayList<>();
    seen.add(sale.createLive(5, 2, 300));
    long alices = sale.reserved("alice");
    seen.add(sale.stats());
    long bobs = orderNo(sale.reserve("bob", 2, null).replyOfType(OrderDetails.class).order());
    seen.add(sale.stats());
    sale.beginPayment(bobs, "bob");
    sale.decline(bobs);
    seen.add(sale.stats());
    long carols = sale.reserved("carol");
    sale.beginPayment(carols, "carol");
    seen.add(sale.stats());
    sale.confirm(carols, "pay-carol");
    seen.add(sale.stats());
    sale.cancelOrder(alices, "alice");
    seen.add(sale.stats());
    sale.reserved("dave");
    sale.reserve("erin", 2, null);
    seen.add(sale.stats());
    sale.advance(Duration.ofSeconds(300));
    sale.expireHolds();
    seen.add(sale.stats());
    sale.change(null, null, 3);
    seen.add(sale.stats());
    sale.reserved("frank");
    sale.cancelSale();
    SaleView last = sale.stats();
    seen.add(last);

    assertThat(seen).allSatisfy(v ->
        assertThat(v.available() + v.reserved() + v.confirmed()).as("balance of %s", v).isEqualTo(v.stock()));
    assertThat(last.stock()).isEqualTo(8);
    assertThat(last.confirmed()).isEqualTo(1);
    assertThat(last.available()).isEqualTo(7);
    assertThat(last.released()).isEqualTo(5);
  }
}
