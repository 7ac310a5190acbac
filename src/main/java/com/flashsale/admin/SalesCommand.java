package com.flashsale.admin;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code admin sales}: the sale commands, each one API call; without one it is a usage error. */
@Command(name = "sales",
    description = {"Flash sales: list, create (alias schedule), move, add-stock, cancel, stats, history, room.",
        "Each is one API call, named below. `schedule` is another name for `create`",
        "(a new sale always has its start and end); `move` changes the start and/or",
        "end of an existing sale.",
        "create, move, add-stock, cancel and room send an Idempotency-Key made for that run;",
        "after a 503 or no answer they send the same request again with it (3",
        "attempts in all), so the API never applies one run's change twice."},
    subcommands = {SaleListCommand.class, SaleCreateCommand.class, SaleMoveCommand.class, SaleAddStockCommand.class,
        SaleCancelCommand.class, SaleStatsCommand.class, SaleHistoryCommand.class, SaleRoomCommand.class})
final class SalesCommand {

  @Mixin
  HelpOption help;
}
