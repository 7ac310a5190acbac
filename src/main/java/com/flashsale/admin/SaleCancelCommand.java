package com.flashsale.admin;

import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code admin sales cancel}: ends a sale for good; its open holds are released. */
@Command(name = "cancel",
    description = {"Cancel a sale: POST /api/admin/sales/{id}/cancel.",
        "Open holds are released (their orders become CANCELLED); paid orders",
        "stay paid. A cancelled sale cannot be changed any more."})
final class SaleCancelCommand extends ApiCommand {

  @Mixin
  Output output;

  @Parameters(index = "0", paramLabel = "SALE_ID", converter = ArgumentTypes.Id.class, description = "The sale.")
  UUID sale;

  @Override
  protected void run() {
    output.show(out(), asAdmin().postOnce("/api/admin/sales/" + sale + "/cancel", null), Views::sale);
  }
}
