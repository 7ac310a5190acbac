package com.flashsale.sale;

import com.flashsale.Money;
import com.flashsale.product.Product;
import java.time.Instant;

/** The API's shapes of a sale: the public sale and the admin's exact stats. */
public final class SaleJson {

  private SaleJson() {}

  public record ProductSummary(String id, String name, String description, String imageUrl) {}

  public record Sale(String id, ProductSummary product, String price, int stock, int available, SaleStatus status,
      Instant startsAt, Instant endsAt, int perUserLimit, int holdSeconds, RoomTerms waitingRoom) {}

  /** {@code waitingRoom} is null for a sale without one. */
  public record Stats(int stock, int available, int reserved, int confirmed, int released, RoomStats waitingRoom) {}

  /**
   * A waiting room's numbers, in buyers: {@code waiting} now, and as running totals {@code joined},
   * {@code admitted}, {@code purchased} (holds taken by admitted buyers), {@code abandoned} (left before their
   * turn) and {@code turnedAway} (still waiting when no unit was left for good); {@code rate} is the admissions
   * per second now. All but purchased are estimated from the nodes' counts. {@code phase} null: the room has not
   * ticked yet.
   */
  public record RoomStats(RoomUpdate.Phase phase, long waiting, long joined, long admitted, int purchased,
      long abandoned, long turnedAway, double rate, boolean paused, int admissionRate) {}

  public static Sale of(SaleView view, Product product) {
    ProductSummary summary = product == null
        ? new ProductSummary(view.productId(), null, null, null)
        : new ProductSummary(product.id(), product.name(), product.description(), product.imageUrl());
    return new Sale(view.id(), summary, Money.format(view.price()), view.stock(), view.available(), view.status(),
        view.startsAt(), view.endsAt(), view.perUserLimit(), view.holdSeconds(), view.room());
  }

  private static RoomStats roomStats(RoomUpdate room, RoomTerms terms) {
    long waiting = Math.round(room.counts().from(room.watermark()));
    boolean over = room.phase() == RoomUpdate.Phase.SOLD_OUT || room.phase() == RoomUpdate.Phase.CLOSED;
    long turnedAway = over ? Math.max(0, room.joined() - room.admitted() - room.abandoned()) : 0;
    return new RoomStats(room.phase(), over ? 0 : waiting, room.joined(), room.admitted(), room.purchased(),
        room.abandoned(), turnedAway, Math.round(room.rate() * 10) / 10.0, terms.paused(), terms.admissionRate());
  }

  public static Stats stats(SaleView view, RoomUpdate room) {
    RoomStats roomStats = null;
    if (view.room() != null) {
      roomStats = room == null
          ? new RoomStats(null, 0, 0, 0, 0, 0, 0, 0, view.room().paused(), view.room().admissionRate())
          : roomStats(room, view.room());
    }
    return new Stats(view.stock(), view.available(), view.reserved(), view.confirmed(), view.released(), roomStats);
  }
}
