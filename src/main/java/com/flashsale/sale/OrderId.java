package com.flashsale.sale;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An order id names its sale: {@code <sale uuid>-<order number>}. Any node can route pay, cancel and
 * read straight to the owning sale entity, with no lookup. Clients treat it as opaque.
 */
public record OrderId(UUID saleId, long orderNo) {

  private static final Pattern FORMAT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}-[1-9][0-9]{0,17}");

  public static Optional<OrderId> parse(String text) {
    if (text == null || !FORMAT.matcher(text).matches()) {
      return Optional.empty();
    }
    int split = text.lastIndexOf('-');
    return Optional.of(new OrderId(UUID.fromString(text.substring(0, split)), Long.parseLong(text.substring(split + 1))));
  }

  @Override
  public String toString() {
    return saleId + "-" + orderNo;
  }
}
