package com.flashsale.admin;

import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code admin sales add-stock}: more units for a sale (stock only ever grows). */
@Command(name = "add-stock",
    description = {"Add units to a sale: PATCH /api/admin/sales/{id} {addStock}.",
        "Stock only grows; the units go on sale at once."})
final class SaleAddStockCommand extends ApiCommand {

  @Mixin
  Output output;

  @Parameters(index = "0", paramLabel = "SALE_ID", converter = ArgumentTypes.Id.class, description = "The sale.")
  UUID sale;

  @Parameters(index = "1", paramLabel = "UNITS", converter = ArgumentTypes.Units.class,
      description = "Units to add, above 0.")
  Integer units;

  @Override
  protected void run() {
    output.show(out(), asAdmin().patchOnce("/api/admin/sales/" + sale, Map.of("addStock", units)), Views::sale);
  }
}
