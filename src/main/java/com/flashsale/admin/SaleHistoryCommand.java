package com.flashsale.admin;

import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code admin sales history}: a page of a sale's audit trail, read from its journal. */
@Command(name = "history",
    description = {"A sale's events in order: GET /api/admin/sales/{id}/history.",
        "Who reserved, paid and cancelled, what expired, what an admin changed, and when;",
        "under a full page it prints the --after cursor of the next one."})
final class SaleHistoryCommand extends ApiCommand {

  @Mixin
  Output output;

  @Parameters(index = "0", paramLabel = "SALE_ID", converter = ArgumentTypes.Id.class, description = "The sale.")
  UUID sale;

  @Option(names = "--limit", paramLabel = "N", converter = ArgumentTypes.Units.class,
      description = "Events per page, 1 to 500 (default: the API's 100).")
  Integer limit;

  @Option(names = "--after", paramLabel = "N", converter = ArgumentTypes.Units.class,
      description = "The page after this event number.")
  Integer after;

  @Override
  protected void run() {
    output.show(out(), asAdmin().get(withQuery("/api/admin/sales/" + sale + "/history", "limit", limit, "after", after)),
        Views::history);
  }
}
