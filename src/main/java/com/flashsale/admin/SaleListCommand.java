package com.flashsale.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code admin sales list}: one page of the public sale list (the read model, so a moment behind). */
@Command(name = "list",
    description = {"List sales: GET /api/sales (public, no login needed).",
        "By start time, a page at a time; under a full page it prints the --after",
        "cursor of the next one."})
final class SaleListCommand extends ApiCommand {

  @Mixin
  Output output;

  @Option(names = "--status", paramLabel = "STATUS", converter = ArgumentTypes.SaleFilter.class,
      description = "upcoming, live or ended (default: all).")
  String status;

  @Option(names = "--limit", paramLabel = "N", converter = ArgumentTypes.Units.class,
      description = "Sales per page, 1 to 500 (default: the API's 100).")
  Integer limit;

  @Option(names = "--after", paramLabel = "CURSOR", description = "The page after this cursor.")
  String after;

  @Override
  protected void run() {
    output.show(out(), anonymous().get(withQuery("/api/sales", "status", status, "limit", limit, "after", after)),
        Views::sales);
  }
}
