package com.flashsale.sale;

/**
 * How far a sale's waiting room has admitted: buyers ranked below {@code watermark} may buy. {@code admitted} and
 * {@code joined} are running totals estimated from the nodes' counts ({@link SaleEvent.AdmissionAdvanced});
 * {@code purchased} counts the holds taken while the room was on, each by an admitted buyer.
 */
public record RoomProgress(long watermark, long admitted, long joined, int purchased) {

  public static final RoomProgress NONE = new RoomProgress(0, 0, 0, 0);

  RoomProgress advanced(SaleEvent.AdmissionAdvanced event) {
    return new RoomProgress(event.watermark(), event.admitted(), event.joined(), purchased);
  }

  RoomProgress withPurchase() {
    return new RoomProgress(watermark, admitted, joined, purchased + 1);
  }
}
