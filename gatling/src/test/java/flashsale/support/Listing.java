package flashsale.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One walk of a sale's admin orders listing ({@code GET /api/admin/sales/{id}/orders}, keyset pages of
 * {@code limit=500} following {@code next}), with the stats read just before it. Held in one virtual user's
 * session, so it needs no locking.
 */
final class Listing {

  private final String saleId;
  private final int confirmedUnitsInStats;
  private final Map<String, Integer> timesListed = new HashMap<>();
  private int confirmedUnitsListed;
  private String cursor;
  private boolean more = true;
  private String broken;

  Listing(String saleId, String statsBody) {
    this.saleId = saleId;
    JsonNode stats = Json.read(statsBody);
    this.confirmedUnitsInStats = stats.path("confirmed").asInt(-1);
    if (statsBody == null) {
      broken = "the stats could not be read";
      more = false;
    }
  }

  boolean hasMore() {
    return more;
  }

  /** The next page's path; the cursor is URL-encoded (ids are opaque and may hold any character). */
  String nextPath() {
    String path = "/api/admin/sales/" + saleId + "/orders?limit=" + Audit.pageSize();
    return cursor == null ? path : path + "&after=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8);
  }

  /** Adds one page; a page that did not come (null body) or makes no sense ends the walk as broken. */
  void add(String pageBody) {
    JsonNode page = Json.read(pageBody);
    if (!page.path("items").isArray()) {
      broken = "the orders listing could not be read (page after " + cursor + ")";
      more = false;
      return;
    }
    for (JsonNode order : page.path("items")) {
      String id = Json.text(order, "id");
      timesListed.merge(id, 1, Integer::sum);
      if ("CONFIRMED".equals(Json.text(order, "status"))) {
        confirmedUnitsListed += order.path("quantity").asInt(1);
      }
    }
    String next = Json.text(page, "next");
    if (next != null && next.equals(cursor)) {
      broken = "the orders listing repeats its cursor " + next;
      next = null;
    }
    cursor = next;
    more = next != null;
  }

  int size() {
    return timesListed.size();
  }

  /** The ids of the orders listed. */
  Set<String> orderIds() {
    return timesListed.keySet().stream().filter(Objects::nonNull).collect(Collectors.toUnmodifiableSet());
  }

  /** True when the listing has caught up with everything the run saw acknowledged. */
  boolean matches(Ledger ledger) {
    return violations(ledger.acknowledgedOrders(saleId), confirmedUnitsInStats).isEmpty();
  }

  List<String> violations(Set<String> acknowledged, int confirmedUnits) {
    List<String> violations = new ArrayList<>();
    if (broken != null) {
      violations.add(broken);
      return violations;
    }
    timesListed.forEach((id, times) -> {
      if (times > 1) {
        violations.add("order " + id + " listed " + times + " times");
      }
    });
    List<String> missing = acknowledged.stream().filter(id -> !timesListed.containsKey(id)).sorted().toList();
    if (!missing.isEmpty()) {
      violations.add(missing.size() + " acknowledged order(s) missing from the listing, e.g. "
          + missing.subList(0, Math.min(5, missing.size())));
    }
    if (confirmedUnitsListed != confirmedUnits) {
      violations.add("the listing's CONFIRMED orders hold " + confirmedUnitsListed + " units, the stats say "
          + confirmedUnits + " confirmed");
    }
    return violations;
  }
}
