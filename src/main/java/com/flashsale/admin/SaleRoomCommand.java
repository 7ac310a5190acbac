package com.flashsale.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code admin sales room}: a sale's waiting room. Without options it shows the room's numbers; with them it
 * changes the room live (opening one on a sale that has none) and then shows them.
 */
@Command(name = "room",
    description = {"A sale's waiting room: GET /api/admin/sales/{id}/stats, and with options first",
        "PATCH /api/admin/sales/{id} {waitingRoom: {...}}.",
        "--rate sets the buyers admitted a second (0: as many as the units left can",
        "take); --pause stops admitting, --resume starts again; --off removes the room",
        "(purchases need no pass again). A sale without a room gets one with defaults.",
        "Numbers are buyers; waiting, admitted and abandoned are estimates."})
final class SaleRoomCommand extends ApiCommand {

  @Mixin
  Output output;

  @Parameters(index = "0", paramLabel = "SALE_ID", converter = ArgumentTypes.Id.class, description = "The sale.")
  UUID sale;

  @Option(names = "--rate", paramLabel = "N", converter = ArgumentTypes.Rate.class,
      description = "Buyers admitted a second; 0 for automatic.")
  Integer rate;

  @ArgGroup(exclusive = true)
  Switch change;

  static final class Switch {
    @Option(names = "--pause", required = true, description = "Stop admitting buyers.")
    boolean pause;

    @Option(names = "--resume", required = true, description = "Admit buyers again.")
    boolean resume;

    @Option(names = "--off", required = true, description = "Remove the waiting room.")
    boolean off;
  }

  @Override
  protected void run() {
    AdminClient admin = asAdmin();
    Map<String, Object> room = new LinkedHashMap<>();
    if (rate != null) {
      room.put("admissionRate", rate);
    }
    if (change != null && (change.pause || change.resume)) {
      room.put("paused", change.pause);
    }
    if (change != null && change.off) {
      if (rate != null) {
        throw usage("--off removes the room: give no --rate with it");
      }
      room.put("enabled", false);
    }
    if (!room.isEmpty()) {
      admin.patchOnce("/api/admin/sales/" + sale, Map.of("waitingRoom", room));
    }
    output.show(out(), admin.get("/api/admin/sales/" + sale + "/stats"), Views::room);
  }
}
