package com.flashsale.admin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code admin sales move}: a new start and/or end; the sale itself decides whether it may move. */
@Command(name = "move",
    description = {"Move a sale's start and/or end: PATCH /api/admin/sales/{id}.",
        "Sends {startsAt?, endsAt?}. The start moves only before the sale started,",
        "the end while it has not ended (else INVALID_TRANSITION).",
        "TIME: an ISO-8601 instant such as 2026-11-23T10:00:00Z, or now, +30s, +5m,",
        "+1h, +2d from this machine's clock."})
final class SaleMoveCommand extends ApiCommand {

  @Mixin
  Output output;

  @Parameters(index = "0", paramLabel = "SALE_ID", converter = ArgumentTypes.Id.class, description = "The sale.")
  UUID sale;

  @Option(names = "--starts-at", paramLabel = "TIME", converter = ArgumentTypes.Time.class,
      description = "The new start.")
  Instant startsAt;

  @Option(names = "--ends-at", paramLabel = "TIME", converter = ArgumentTypes.Time.class,
      description = "The new end.")
  Instant endsAt;

  @Override
  protected void run() {
    if (startsAt == null && endsAt == null) {
      throw usage("Missing option: give --starts-at, --ends-at or both");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    if (startsAt != null) {
      body.put("startsAt", startsAt.toString());
    }
    if (endsAt != null) {
      body.put("endsAt", endsAt.toString());
    }
    output.show(out(), asAdmin().patchOnce("/api/admin/sales/" + sale, body), Views::sale);
  }
}
