package com.flashsale.admin;

import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code admin sales stats}: a sale's exact unit counts, read from its entity. */
@Command(name = "stats",
    description = {"A sale's units: GET /api/admin/sales/{id}/stats.",
        "stock = available + reserved + confirmed; released counts the units",
        "returned so far by cancellation or expiry. Read from the entity: exact."})
final class SaleStatsCommand extends ApiCommand {

  @Mixin
  Output output;

  @Parameters(index = "0", paramLabel = "SALE_ID", converter = ArgumentTypes.Id.class, description = "The sale.")
  UUID sale;

  @Override
  protected void run() {
    output.show(out(), asAdmin().get("/api/admin/sales/" + sale + "/stats"), Views::stats);
  }
}
