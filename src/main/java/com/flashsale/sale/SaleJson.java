package com.flashsale.sale;

import com.flashsale.Money;
import com.flashsale.product.Product;
import java.time.Instant;

/** The API's shapes of a sale: the public sale and the admin's exact stats. */
public final class SaleJson {

  private SaleJson() {}

  public record ProductSummary(String id, String name, String description, String imageUrl) {}

  public record Sale(String id, ProductSummary product, String price, int stock, int available, SaleStatus status,
      Instant startsAt, Instant endsAt, int perUserLimit, int holdSeconds) {}

  public record Stats(int stock, int available, int reserved, int confirmed, int released) {}

  public static Sale of(SaleView view, Product product) {
    ProductSummary summary = product == null
        ? new ProductSummary(view.productId(), null, null, null)
        : new ProductSummary(product.id(), product.name(), product.description(), product.imageUrl());
    return new Sale(view.id(), summary, Money.format(view.price()), view.stock(), view.available(), view.status(),
        view.startsAt(), view.endsAt(), view.perUserLimit(), view.holdSeconds());
  }

  public static Stats stats(SaleView view) {
    return new Stats(view.stock(), view.available(), view.reserved(), view.confirmed(), view.released());
  }
}
