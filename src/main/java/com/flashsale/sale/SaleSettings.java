package com.flashsale.sale;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The sale entity's tunables ({@code flashsale.sale} in flashsale.conf, and the gateway's call timeout from
 * {@code flashsale.payment}).
 */
public record SaleSettings(int snapshotEvery, Duration paymentGrace, Duration expiryCheck, int maxWaitingRequests,
    Duration settleAfter, Duration gatewayTimeout) {

  public static SaleSettings fromConfig(Config config) {
    Config sale = config.getConfig("flashsale.sale");
    return new SaleSettings(sale.getInt("snapshot-every"), sale.getDuration("payment-grace"),
        sale.getDuration("expiry-check"), sale.getInt("max-waiting-requests"), sale.getDuration("settle-after"),
        config.getDuration("flashsale.payment.call-timeout"));
  }
}
