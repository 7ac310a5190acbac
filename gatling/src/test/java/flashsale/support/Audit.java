package flashsale.support;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The correctness audit every simulation ends with, run by one virtual user once all the others are done.
 * For each sale the run touched it reads the entity's exact stats and walks the admin's orders listing, and
 * requires:
 * <ul>
 *   <li>{@code reserved + confirmed <= stock} (no oversell) and {@code available + reserved + confirmed == stock};
 *   <li>every order the service acknowledged during the run (201, or 200 for an existing hold) listed exactly
 *       once, no order listed twice, no order id answered 201 twice;
 *   <li>the CONFIRMED orders listed add up to the {@code confirmed} units;
 *   <li>whatever the simulation's own {@link SaleCheck} requires of the sale (WaitingRoomRush: {@link RoomAudit}).
 * </ul>
 * The listing comes from the read model, which trails the entities, so the walk is repeated (one second apart,
 * up to {@code -DauditRounds}) until it has caught up. Then one request named {@value #REQUEST} per sale carries
 * the verdict as its check: a violation fails that request, and {@link #assertions()} turn any failed
 * {@value #REQUEST} request into a failed run (Gatling exits non-zero, so does {@code mvn gatling:test}).
 */
public final class Audit {

  /** The request whose failure means a broken invariant; the assertions are on it. */
  public static final String REQUEST = "audit";
  public static final String OK = "ok";

  private static final int PAGE_SIZE = 500;
  private static final int ROUNDS = Params.integer("auditRounds", 30);
  private static final int QUIET_SECONDS = Params.integer("auditQuietSeconds", 120);
  /** Pretends the service acknowledged an order it never issued, to watch the audit fail the run. */
  private static final boolean SELF_CHECK = Boolean.parseBoolean(Params.string("auditSelfCheck", "false"));

  /** One sale's audited figures. {@code violations} is empty when all held. */
  public record Result(String saleId, int stock, int available, int reserved, int confirmed, int released,
      int listedOrders, int acknowledgedOrders, List<String> violations) {

    public int oversell() {
      return Math.max(0, reserved + confirmed - stock);
    }
  }

  /**
   * A simulation's own invariants of a sale, judged at the audit with the sale's stats and the orders listed
   * (once the listing has caught up); its violations join the audit's, in the same verdict.
   */
  @FunctionalInterface
  public interface SaleCheck {
    SaleCheck NONE = (saleId, stats, listedOrders) -> List.of();

    List<String> violations(String saleId, JsonNode stats, Set<String> listedOrders);
  }

  private Audit() {}

  /** One auditor, started when {@code parent}'s users are all done (and any other population's too). */
  public static PopulationBuilder after(PopulationBuilder parent, Ledger ledger, AdminApi admin) {
    return after(parent, ledger, admin, SaleCheck.NONE);
  }

  /** {@link #after(PopulationBuilder, Ledger, AdminApi)}, judging {@code check} too. */
  public static PopulationBuilder after(PopulationBuilder parent, Ledger ledger, AdminApi admin, SaleCheck check) {
    return parent.andThen(scenario("audit").exec(chain(ledger, admin, check)).injectOpen(atOnceUsers(1)));
  }

  /** No audit request may fail, and there must have been at least one (an audit that never ran proves nothing). */
  public static List<Assertion> assertions() {
    return List.of(
        details(REQUEST).failedRequests().count().is(0L),
        details(REQUEST).allRequests().count().gt(0L));
  }

  public static ChainBuilder chain(Ledger ledger, AdminApi admin) {
    return chain(ledger, admin, SaleCheck.NONE);
  }

  public static ChainBuilder chain(Ledger ledger, AdminApi admin, SaleCheck check) {
    return exec(session -> session.set("token", admin.token()).set("auditWaited", 0))
        .asLongAs(session -> ledger.busyUsers() > 0 && session.getInt("auditWaited") < QUIET_SECONDS).on(
            pause(Duration.ofSeconds(1)).exec(session -> session.set("auditWaited", session.getInt("auditWaited") + 1)))
        .exec(session -> {
          if (SELF_CHECK && !ledger.sales().isEmpty()) {
            String saleId = ledger.sales().get(0);
            ledger.acknowledged(saleId, new Answer(201, null, "self-check-phantom-order", null, 0, 0));
            System.out.println("AUDIT self-check: pretending sale " + saleId + " acknowledged a phantom order");
          }
          return session;
        })
        .foreach(session -> ledger.sales(), "auditSaleId").on(
            exec(session -> session.set("auditRound", 0).set("auditSettled", false))
                .asLongAs(session -> !session.getBoolean("auditSettled")).on(readListing(ledger))
                .exec(http(REQUEST).get("/api/admin/sales/#{auditSaleId}/stats")
                    .header("Authorization", "Bearer #{token}")
                    .check(status().is(200), bodyString().transformWithSession((body, session) ->
                        verdict(session.getString("auditSaleId"), body, session.get("auditListing"), ledger, check))
                        .is(OK))));
  }

  /** One round: the stats, then every page of the listing; settled once it matches the ledger or rounds run out. */
  private static ChainBuilder readListing(Ledger ledger) {
    return exec(http("audit stats").get("/api/admin/sales/#{auditSaleId}/stats")
            .header("Authorization", "Bearer #{token}")
            .check(status().is(200), bodyString().saveAs("auditBody")))
        .exec(session -> session.set("auditListing",
                new Listing(session.getString("auditSaleId"), session.getString("auditBody")))
            .remove("auditBody"))
        .asLongAs(session -> listing(session).hasMore()).on(
            exec(http("audit orders page").get(session -> listing(session).nextPath())
                    .header("Authorization", "Bearer #{token}")
                    .check(status().is(200), bodyString().saveAs("auditBody")))
                .exec(session -> {
                  listing(session).add(session.getString("auditBody"));
                  return session.remove("auditBody");
                }))
        .exec(session -> {
          int round = session.getInt("auditRound") + 1;
          boolean settled = listing(session).matches(ledger) || round >= ROUNDS;
          return session.set("auditRound", round).set("auditSettled", settled);
        })
        .doIf(session -> !session.getBoolean("auditSettled")).then(pause(Duration.ofSeconds(1)));
  }

  private static Listing listing(Session session) {
    return session.get("auditListing");
  }

  /** {@value #OK}, or the violations found, one per line (the check's failure message shows them). */
  static String verdict(String saleId, String statsBody, Listing listing, Ledger ledger, SaleCheck check) {
    JsonNode stats = Json.read(statsBody);
    List<String> violations = new ArrayList<>();
    int stock = number(stats, "stock", violations);
    int available = number(stats, "available", violations);
    int reserved = number(stats, "reserved", violations);
    int confirmed = number(stats, "confirmed", violations);
    int released = number(stats, "released", violations);
    if (violations.isEmpty()) {
      if (reserved + confirmed > stock) {
        violations.add("oversold: reserved " + reserved + " + confirmed " + confirmed + " > stock " + stock);
      }
      if (available + reserved + confirmed != stock) {
        violations.add("units do not add up: available " + available + " + reserved " + reserved + " + confirmed "
            + confirmed + " != stock " + stock);
      }
      if (available < 0 || reserved < 0 || confirmed < 0 || released < 0) {
        violations.add("negative figure in " + statsBody);
      }
    }
    Set<String> acknowledged = ledger.acknowledgedOrders(saleId);
    violations.addAll(listing.violations(acknowledged, confirmed));
    for (String orderId : ledger.duplicateCreations(saleId)) {
      violations.add("order " + orderId + " was answered 201 (a new hold) more than once");
    }
    violations.addAll(check.violations(saleId, stats, listing.orderIds()));
    Result result = new Result(saleId, stock, available, reserved, confirmed, released, listing.size(),
        acknowledged.size(), List.copyOf(violations));
    ledger.auditResult(result);
    if (violations.isEmpty()) {
      System.out.printf("AUDIT ok   sale %s: stock %d, available %d, reserved %d, confirmed %d, released %d; "
          + "%d orders listed, all %d acknowledged ones once%n", saleId, stock, available, reserved, confirmed,
          released, listing.size(), acknowledged.size());
      return OK;
    }
    String text = String.join("; ", violations);
    System.out.println("AUDIT FAILED sale " + saleId + ": " + text);
    return text;
  }

  private static int number(JsonNode stats, String field, List<String> violations) {
    JsonNode value = stats.path(field);
    if (!value.isInt()) {
      violations.add("stats have no integer '" + field + "'");
      return 0;
    }
    return value.asInt();
  }

  /** Size of one listing page; the walk takes {@code ceil(orders / PAGE_SIZE)} requests. */
  static int pageSize() {
    return PAGE_SIZE;
  }
}
