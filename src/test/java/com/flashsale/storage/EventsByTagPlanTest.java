package com.flashsale.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.TestDatabase;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import slick.jdbc.JdbcDataSource;
import slick.jdbc.hikaricp.HikariCPJdbcDataSource$;

/**
 * The read journal's events-by-tag query must stay cheap as the journal grows, on a database that was
 * empty when the node started (a shop's first sale). PostgreSQL caches a generic plan for a prepared
 * statement after five runs; planned against empty tables, it scanned all of event_tag for every
 * journal row in the polled range, and a 100,000-unit sale's projection fell minutes behind. The
 * persistence connections (persistence.conf) plan every run with its parameters and join by nested
 * loops only. This test prepares the plugin's query on such a connection, runs it on empty tables,
 * fills the journal and checks the plan and the rows.
 */
class EventsByTagPlanTest {

  /** The statement akka-persistence-jdbc 5.2.1 sends for eventsByTag (as logged by PostgreSQL). */
  private static final String EVENTS_BY_TAG = "select x2.x3, x2.x4, x2.x5, x2.x6, x2.x7, x2.x8, x2.x9, x2.x10,"
      + " x2.x11, x2.x12, x2.x13, x2.x14, x2.x15 from (select \"deleted\" as x4, \"meta_ser_id\" as x14,"
      + " \"meta_ser_manifest\" as x15, \"sequence_number\" as x6, \"writer\" as x7, \"event_ser_manifest\" as x12,"
      + " \"write_timestamp\" as x8, \"persistence_id\" as x5, \"adapter_manifest\" as x9, \"ordering\" as x3,"
      + " \"event_payload\" as x10, \"event_ser_id\" as x11, \"meta_payload\" as x13 from \"event_journal\""
      + " where \"deleted\" = false) x2, \"event_tag\" x16 where ((x16.\"tag\" = $1) and ((x2.x3 > $2)"
      + " and (x2.x3 <= $3))) and (x2.x3 = x16.\"event_id\") order by x2.x3 limit $4";

  private static final int EVENTS = 60_000;
  private static final int TAGS = 4;

  @Test
  void pollingANewlyFilledJournalReadsOnlyTheNewRows() throws SQLException {
    Config config = ConfigFactory.parseMap(Map.of(
        "flashsale.db.url", TestDatabase.fresh("events_by_tag_plan"),
        "flashsale.db.user", TestDatabase.user(),
        "flashsale.db.password", TestDatabase.password(),
        "flashsale.db.pool-size", 2)).withFallback(ConfigFactory.parseResourcesAnySyntax("application")).resolve();
    try (Database database = Database.open(config)) {
      database.migrate();
    }
    JdbcDataSource persistence = HikariCPJdbcDataSource$.MODULE$.forConfig(
        config.getConfig("akka-persistence-jdbc.shared-databases.slick.db"), null, "events-by-tag-plan",
        getClass().getClassLoader());
    try (Connection connection = persistence.createConnection(); Statement sql = connection.createStatement()) {
      sql.execute("PREPARE events_by_tag(text, bigint, bigint, bigint) AS " + EVENTS_BY_TAG);
      for (int i = 0; i < 10; i++) {
        sql.executeQuery("EXECUTE events_by_tag('sale-1', 0, 0, 500)").close();
      }
      sql.execute("INSERT INTO event_journal (ordering, persistence_id, sequence_number, writer, event_ser_id,"
          + " event_ser_manifest, event_payload) SELECT n, 'Sale|' || (n % " + TAGS + "), n, 'w', 1, 'E',"
          + " decode('00', 'hex') FROM generate_series(1, " + EVENTS + ") n");
      sql.execute("INSERT INTO event_tag (event_id, tag) SELECT n, 'sale-' || (n % " + TAGS + ")"
          + " FROM generate_series(1, " + EVENTS + ") n");

      // One poll of a busy tag: the newest 1,000 journal rows, a quarter of them tagged sale-1.
      String poll = "EXECUTE events_by_tag('sale-1', " + (EVENTS - 1_000) + ", " + EVENTS + ", 500)";
      String plan = plan(sql, "EXPLAIN " + poll);
      assertThat(plan)
          .doesNotContain("Seq Scan on event_tag")
          .doesNotContain("Hash Join")
          .doesNotContain("Merge Join")
          .contains("Index Only Scan using event_tag_pkey on event_tag")
          .contains("event_id = event_journal.ordering");

      List<Long> polled = new ArrayList<>();
      try (ResultSet rows = sql.executeQuery(poll)) {
        while (rows.next()) {
          polled.add(rows.getLong(1));
        }
      }
      assertThat(polled).hasSize(250).allMatch(ordering -> ordering % TAGS == 1).isSorted();
      assertThat(polled.get(0)).isEqualTo(EVENTS - 1_000 + 1);
    } finally {
      persistence.close();
    }
  }

  private static String plan(Statement sql, String explain) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (ResultSet lines = sql.executeQuery(explain)) {
      while (lines.next()) {
        plan.append(lines.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
