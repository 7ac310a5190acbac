package com.flashsale.sale;

import com.flashsale.CborSerializable;

/**
 * What a sale entity publishes to its pub-sub topic after every change (and when woken): the whole
 * sale view, stamped with the entity's sequence number so a node can drop an older update that
 * arrives late (e.g. while the entity moves between nodes). {@code sale.status()} is as of
 * publishing; receivers recompute time-dependent status with their own clock.
 */
public record SaleUpdate(SaleView sale, long version) implements CborSerializable {

  public static String topicName(String saleId) {
    return "sale-" + saleId;
  }
}
