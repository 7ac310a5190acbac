package com.flashsale.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code admin sales create} (alias {@code schedule}): a new sale of a product. Times may be relative
 * ({@code +5m}), turned into instants here from this machine's clock; the API checks the rest.
 */
@Command(name = "create", aliases = "schedule",
    description = {"Schedule a new sale: POST /api/admin/sales.",
        "Sends {productId, stock, startsAt, endsAt, price?, perUserLimit?,",
        "holdSeconds?}; the API checks the values.",
        "TIME: an ISO-8601 instant such as 2026-11-23T10:00:00Z, or now, +30s, +5m,",
        "+1h, +2d from this machine's clock."})
final class SaleCreateCommand extends ApiCommand {

  @Mixin
  Output output;

  @Option(names = "--product", required = true, paramLabel = "PRODUCT_ID", converter = ArgumentTypes.Id.class,
      description = "The product on sale.")
  UUID product;

  @Option(names = "--stock", required = true, paramLabel = "N", converter = ArgumentTypes.Units.class,
      description = "Units offered, above 0.")
  Integer stock;

  @Option(names = "--starts-at", required = true, paramLabel = "TIME", converter = ArgumentTypes.Time.class,
      description = "When it goes live.")
  Instant startsAt;

  @Option(names = "--ends-at", required = true, paramLabel = "TIME", converter = ArgumentTypes.Time.class,
      description = "When it ends (after the start, in the future).")
  Instant endsAt;

  @Option(names = "--price", paramLabel = "AMOUNT", description = "The sale price (default: the product's).")
  String price;

  @Option(names = "--per-user-limit", paramLabel = "N", converter = ArgumentTypes.Units.class,
      description = "Units one buyer may hold or buy (default: 1).")
  Integer perUserLimit;

  @Option(names = "--hold-seconds", paramLabel = "SECONDS", converter = ArgumentTypes.Units.class,
      description = "How long a reservation waits for payment (default: 300).")
  Integer holdSeconds;

  @Override
  protected void run() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("productId", product.toString());
    body.put("stock", stock);
    body.put("startsAt", startsAt.toString());
    body.put("endsAt", endsAt.toString());
    if (price != null) {
      body.put("price", price);
    }
    if (perUserLimit != null) {
      body.put("perUserLimit", perUserLimit);
    }
    if (holdSeconds != null) {
      body.put("holdSeconds", holdSeconds);
    }
    output.show(out(), asAdmin().postOnce("/api/admin/sales", body), Views::sale);
  }
}
