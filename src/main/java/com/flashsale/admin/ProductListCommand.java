package com.flashsale.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code admin products list}: the public product list. */
@Command(name = "list",
    description = "List the products: GET /api/products (public, no login needed).")
final class ProductListCommand extends ApiCommand {

  @Mixin
  Output output;

  @Override
  protected void run() {
    output.show(out(), anonymous().get("/api/products"), Views::products);
  }
}
