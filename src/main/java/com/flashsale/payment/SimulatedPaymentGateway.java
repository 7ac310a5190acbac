package com.flashsale.payment;

import com.flashsale.storage.Database;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped gateway, a simulator with the semantics of a real one: charges are idempotent per key, can be
 * looked up and refunded, and a key refunded before any charge is closed. Its ledger is a table of its own
 * ({@code payment_simulator_ledger}), so every node sees the same charges and they outlive a node's crash,
 * as a real provider's would. Each call answers after the configured delay.
 *
 * <p>A card token chooses the outcome: one starting with {@code decline} is declined, anything else
 * approved. To play a failing provider in tests and demos, a token may also carry, anywhere in it:
 * {@code gateway-down} (the call fails, nothing is charged), {@code lose-answer} (it charges, then the call
 * fails as if its answer was lost), {@code slow-N} (it charges at once and answers after N ms),
 * {@code refund-fails-N} (the first N refunds of the charge fail), e.g. {@code tok_slow-2000_refund-fails-1}.
 */
public final class SimulatedPaymentGateway implements PaymentGateway {

  private static final Logger log = LoggerFactory.getLogger(SimulatedPaymentGateway.class);
  private static final Pattern SLOW = Pattern.compile("slow-(\\d{1,6})");
  private static final Pattern REFUND_FAILS = Pattern.compile("refund-fails-(\\d{1,2})");

  /** A call that failed at the simulated provider (nothing is known of its outcome from the call itself). */
  public static final class GatewayFailure extends RuntimeException {
    GatewayFailure(String message) {
      super(message, null, false, false);
    }
  }

  private final Database db;
  private final Duration delay;

  public SimulatedPaymentGateway(Database db, Duration delay) {
    this.db = db;
    this.delay = delay;
  }

  @Override
  public CompletionStage<Outcome> charge(String key, String orderId, BigDecimal amount, String paymentToken) {
    if (paymentToken.contains("gateway-down")) {
      return answerAfter(delay, CompletableFuture.failedFuture(new GatewayFailure("The payment provider is unavailable")));
    }
    boolean declined = paymentToken.startsWith("decline");
    int refundFailures = number(REFUND_FAILS, paymentToken, 0);
    CompletionStage<Outcome> recorded = db.run(c -> record(c, key, orderId, amount, declined, refundFailures));
    if (paymentToken.contains("lose-answer")) {
      return answerAfter(delay, recorded.thenCompose(outcome ->
          CompletableFuture.failedFuture(new GatewayFailure("The payment provider's answer was lost"))));
    }
    int slowMillis = number(SLOW, paymentToken, -1);
    return answerAfter(slowMillis >= 0 ? Duration.ofMillis(slowMillis) : delay, recorded);
  }

  @Override
  public CompletionStage<Charge> lookUp(String key) {
    return answerAfter(delay, db.run(c -> {
      try (PreparedStatement st = c.prepareStatement(
          "SELECT status, payment_ref FROM payment_simulator_ledger WHERE payment_key = ?")) {
        st.setString(1, key);
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? new Charge(ChargeStatus.valueOf(rs.getString(1)), rs.getString(2))
              : new Charge(ChargeStatus.NONE, null);
        }
      }
    }));
  }

  @Override
  public CompletionStage<Void> refund(String key) {
    return answerAfter(delay, db.run(c -> {
      c.setAutoCommit(false);
      try {
        refund(c, key);
        c.commit();
        return null;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }));
  }

  /** Records the charge under {@code key} unless one is there; answers whatever the ledger holds for it. */
  private static Outcome record(Connection c, String key, String orderId, BigDecimal amount, boolean declined,
      int refundFailures) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("""
        INSERT INTO payment_simulator_ledger (payment_key, order_id, amount, status, payment_ref, refund_failures_left,
                                              charged_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, now(), now()) ON CONFLICT (payment_key) DO NOTHING""")) {
      st.setString(1, key);
      st.setString(2, orderId);
      st.setBigDecimal(3, amount);
      st.setString(4, declined ? ChargeStatus.DECLINED.name() : ChargeStatus.CAPTURED.name());
      st.setString(5, declined ? null : "sim-" + UUID.randomUUID());
      st.setInt(6, refundFailures);
      st.executeUpdate();
    }
    try (PreparedStatement st = c.prepareStatement(
        "SELECT status, payment_ref FROM payment_simulator_ledger WHERE payment_key = ?")) {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return switch (ChargeStatus.valueOf(rs.getString(1))) {
          case CAPTURED, REFUNDED -> new Approved(rs.getString(2));
          case VOIDED -> new Declined("The payment was cancelled");
          case DECLINED, NONE -> new Declined("The card was declined");
        };
      }
    }
  }

  private static void refund(Connection c, String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(
        "SELECT status, refund_failures_left FROM payment_simulator_ledger WHERE payment_key = ? FOR UPDATE")) {
      st.setString(1, key);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          closeKey(c, key);
          return;
        }
        if (!ChargeStatus.CAPTURED.name().equals(rs.getString(1))) {
          return; // refunded, declined or closed already
        }
        if (rs.getInt(2) > 0) {
          update(c, "UPDATE payment_simulator_ledger SET refund_failures_left = refund_failures_left - 1, "
              + "updated_at = now() WHERE payment_key = ?", key);
          c.commit();
          throw new GatewayFailure("The payment provider failed to refund");
        }
      }
    }
    update(c, "UPDATE payment_simulator_ledger SET status = 'REFUNDED', refunded_at = now(), updated_at = now() "
        + "WHERE payment_key = ?", key);
    log.info("Refunded the payment under key {}", key);
  }

  /** Closes a key nothing was charged under (a row without order or amount). */
  private static void closeKey(Connection c, String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("""
        INSERT INTO payment_simulator_ledger (payment_key, order_id, amount, status, updated_at)
        VALUES (?, '', 0, 'VOIDED', now()) ON CONFLICT (payment_key) DO NOTHING""")) {
      st.setString(1, key);
      st.executeUpdate();
    }
  }

  private static void update(Connection c, String sql, String key) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, key);
      st.executeUpdate();
    }
  }

  private static int number(Pattern pattern, String token, int otherwise) {
    Matcher m = pattern.matcher(token);
    return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
  }

  private static <T> CompletionStage<T> answerAfter(Duration delay, CompletionStage<T> outcome) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    outcome.whenComplete((value, failure) -> CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)
        .execute(() -> {
          if (failure != null) {
            answer.completeExceptionally(failure);
          } else {
            answer.complete(value);
          }
        }));
    return answer;
  }
}
