package com.flashsale.sale;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The sale entity's tunables ({@code flashsale.sale} in flashsale.conf, and the gateway's call timeout from
 * {@code flashsale.payment}).
 */
public record SaleSettings(int snapshotEvery, Duration paymentGrace, Duration expiryCheck, int maxWaitingRequests,
    Duration settleAfter, Duration gatewayTimeout, BuyerBounds buyerBounds, RoomSettings room) {

  public SaleSettings(int snapshotEvery, Duration paymentGrace, Duration expiryCheck, int maxWaitingRequests,
      Duration settleAfter, Duration gatewayTimeout, BuyerBounds buyerBounds) {
    this(snapshotEvery, paymentGrace, expiryCheck, maxWaitingRequests, settleAfter, gatewayTimeout, buyerBounds,
        RoomSettings.DEFAULT);
  }

  /**
   * What one buyer may do to a sale, so that no buyer behaviour grows its state: holds the buyer may
   * cancel (further purchases are refused), and payment attempts per order.
   */
  public record BuyerBounds(int maxCancellations, int maxPaymentAttempts) {

    public static final BuyerBounds DEFAULT = new BuyerBounds(3, 5);

    public BuyerBounds {
      if (maxCancellations < 0 || maxPaymentAttempts < 1) {
        throw new IllegalArgumentException("max-cancellations-per-buyer must be >= 0, max-payment-attempts >= 1");
      }
    }
  }

  public static SaleSettings fromConfig(Config config) {
    Config sale = config.getConfig("flashsale.sale");
    return new SaleSettings(sale.getInt("snapshot-every"), sale.getDuration("payment-grace"),
        sale.getDuration("expiry-check"), sale.getInt("max-waiting-requests"), sale.getDuration("settle-after"),
        config.getDuration("flashsale.payment.call-timeout"),
        new BuyerBounds(sale.getInt("max-cancellations-per-buyer"), sale.getInt("max-payment-attempts-per-order")),
        RoomSettings.fromConfig(config));
  }
}
