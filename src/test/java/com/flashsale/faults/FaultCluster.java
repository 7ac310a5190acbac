package com.flashsale.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.serialization.Serialization;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.flashsale.account.TokenService;
import com.flashsale.storage.EmbeddedPostgres;
import com.flashsale.testing.ApiClient;
import com.flashsale.testing.Eventually;
import com.flashsale.testing.JournalRows;
import com.flashsale.testing.LocalClusterProcess;
import com.flashsale.testing.PurchaseStorm;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A FlashSale cluster whose PostgreSQL the test owns, for fault-injection tests: a real PostgreSQL server
 * (zonky binaries, {@link EmbeddedPostgres}) with its data in {@code <directory>/postgres} on a fixed loopback
 * port, and {@code java -jar target/flashsale.jar local --nodes N} (nodes behind nginx) using it through
 * FLASHSALE_DB_URL, as an operator runs it with an external database. The test can then hurt the database
 * while buyers storm a sale: {@link #dropConnections()}, {@link #stopDatabase()} / {@link #startDatabase()} (the
 * same data directory and port), {@link #holdJournalRowOpen} (a slow commit); restart every node gracefully with
 * the jar's own {@code local stop-node I} / {@code local start-node I} ({@link #restartEveryNode()}); and read
 * the read model by SQL. Logs: {@code <directory>/local/local.log} and {@code <directory>/local/logs/node-I.log}.
 * One instance serves several scenarios, each on a sale of its own ({@link FaultScenario}).
 */
public final class FaultCluster implements AutoCloseable {

  public static final String JWT_SECRET = "fault-test-secret-that-is-at-least-32-bytes";
  public static final String DATABASE = "flashsale";

  private final Path directory;
  private final Path postgresData;
  private final int postgresPort;
  private final int nodes;
  private volatile EmbeddedPostgres postgres;
  private LocalClusterProcess local;
  private ApiClient api;
  private String adminToken;
  private final TokenService tokens = new TokenService(JWT_SECRET, Duration.ofHours(2), Clock.systemUTC());
  private JournalRows journalRows;

  private FaultCluster(Path directory, int nodes, EmbeddedPostgres postgres, int postgresPort) {
    this.directory = directory;
    this.postgresData = directory.resolve("postgres").toAbsolutePath();
    this.nodes = nodes;
    this.postgres = postgres;
    this.postgresPort = postgresPort;
  }

  /**
   * Starts PostgreSQL, then {@code local --nodes <nodes>} on it, and logs the admin in. {@code extraEnv} adds to
   * (or overrides) the nodes' environment: FLASHSALE_JWT_SECRET = {@link #JWT_SECRET}, rate limits off, 512 MB
   * heaps, a 20 ms simulated payment gateway.
   */
  public static FaultCluster start(Path directory, int nodes, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    // Below the kernel's ephemeral range: while PostgreSQL is stopped, an outgoing connection must not take its port.
    int port = LocalClusterProcess.freePortRange(1);
    EmbeddedPostgres postgres = EmbeddedPostgres.start(directory.resolve("postgres").toAbsolutePath(), port);
    FaultCluster cluster = new FaultCluster(directory, nodes, postgres, port);
    try {
      String url;
      try {
        url = postgres.createDatabase(DATABASE);
      } catch (SQLException e) {
        throw new IOException("could not create the database", e);
      }
      Map<String, String> env = new HashMap<>(Map.of(
          "FLASHSALE_DB_URL", url,
          "FLASHSALE_DB_USER", EmbeddedPostgres.USER,
          "FLASHSALE_DB_PASSWORD", EmbeddedPostgres.PASSWORD,
          "FLASHSALE_JWT_SECRET", JWT_SECRET,
          // Every simulated buyer is 127.0.0.1; the limits themselves are tested in RateLimitTest and NginxTest.
          "FLASHSALE_RATE_LIMITS", "off",
          "FLASHSALE_WARMUP", "off", // WarmupTest covers it; here each node would warm up for 25 s
          "FLASHSALE_NODE_JAVA_OPTS", "-Xmx512m -XX:+ExitOnOutOfMemoryError",
          "FLASHSALE_PAYMENT_DELAY", "20ms"));
      env.putAll(extraEnv);
      cluster.local = LocalClusterProcess.start(directory.resolve("local"), nodes, env);
      if (!cluster.local.log().contains("behind nginx")) {
        throw new IllegalStateException("the fault tests need nginx (apt-get install nginx-light)");
      }
      cluster.api = cluster.local.api();
      cluster.adminToken = cluster.api.post("/api/auth/login", null,
          Map.of("email", "admin@flashsale.local", "password", cluster.local.adminPassword())).json().get("token").asText();
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The API through nginx. */
  public ApiClient api() {
    return api;
  }

  public String adminToken() {
    return adminToken;
  }

  public TokenService tokens() {
    return tokens;
  }

  public LocalClusterProcess local() {
    return local;
  }

  public int nodes() {
    return nodes;
  }

  public Path directory() {
    return directory;
  }

  /** Where the nodes' logs are. */
  public Path logs() {
    return directory.resolve("local").resolve("logs").toAbsolutePath();
  }

  // ---- the sale under test ----

  public String createProduct(String name) {
    ApiClient.Response product = api.post("/api/admin/products", adminToken,
        Map.of("name", name, "description", "Sold while PostgreSQL fails.", "price", "10.00"));
    assertEquals(201, product.status(), product.toString());
    return product.json().get("id").asText();
  }

  /** A sale of {@code stock} units, live from now for an hour, one unit per buyer, holds of an hour (none expires). */
  public String createLiveSale(String productId, int stock) {
    Instant now = Instant.now();
    ApiClient.Response sale = api.post("/api/admin/sales", adminToken, Map.of("productId", productId, "stock", stock,
        "startsAt", now.minusSeconds(1).toString(), "endsAt", now.plus(Duration.ofHours(1)).toString(),
        "perUserLimit", 1, "holdSeconds", 3600));
    assertEquals(201, sale.status(), sale.toString());
    return sale.json().get("id").asText();
  }

  /** Buyers for {@code saleId} through nginx; see {@link PurchaseStorm}. */
  public PurchaseStorm storm(String saleId, double pacedPerSecond, int workers, String keyPrefix) {
    return new PurchaseStorm(api, saleId, tokens, pacedPerSecond, workers, keyPrefix);
  }

  /** Buyers for {@code saleId} through nginx, paying as {@code payments} says; see {@link PurchaseStorm}. */
  public PurchaseStorm storm(String saleId, double pacedPerSecond, int workers, String keyPrefix,
      PurchaseStorm.Payments payments) {
    return new PurchaseStorm(api, saleId, tokens, pacedPerSecond, workers, keyPrefix, payments);
  }

  /**
   * The sale entity's stats (GET /api/admin/sales/{id}/stats), waiting through 503s and I/O errors for up to
   * {@code within}; any other answer but 200 fails at once.
   */
  public SaleStats stats(String saleId, Duration within) {
    SaleStats[] stats = new SaleStats[1];
    Eventually.eventually(within, () -> {
      ApiClient.Response response;
      try {
        response = api.get("/api/admin/sales/" + saleId + "/stats", adminToken);
      } catch (CompletionException e) {
        throw new AssertionError("no answer: " + e.getCause());
      }
      if (response.status() == 503) {
        throw new AssertionError("503: " + response.body());
      }
      if (response.status() != 200) {
        throw new IllegalStateException("stats of sale " + saleId + " answered " + response);
      }
      stats[0] = SaleStats.of(response.json());
    });
    return stats[0];
  }

  /**
   * GET /api/orders/{id} (answered by the sale entity) for each order, as the admin, 200 at a time; a 503 or an I/O
   * error is asked again (for up to a minute). Returns each order's last answer (null: never answered).
   */
  public Map<String, ApiClient.Response> entityOrders(List<String> orderIds) {
    Map<String, ApiClient.Response> answers = new HashMap<>();
    List<String> pending = orderIds;
    long giveUpAt = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!pending.isEmpty()) {
      List<String> again = new ArrayList<>();
      for (int from = 0; from < pending.size(); from += 200) {
        List<String> batch = pending.subList(from, Math.min(pending.size(), from + 200));
        List<CompletableFuture<ApiClient.Response>> asked = batch.stream()
            .map(id -> api.sendAsync("GET", "/api/orders/" + id, adminToken, null, null, Map.of())
                .handle((answer, noAnswer) -> answer))
            .toList();
        for (int i = 0; i < batch.size(); i++) {
          ApiClient.Response answer = asked.get(i).join();
          answers.put(batch.get(i), answer);
          if (answer == null || answer.status() == 503) {
            again.add(batch.get(i));
          }
        }
      }
      pending = again;
      if (!pending.isEmpty()) {
        if (System.nanoTime() - giveUpAt > 0) {
          break;
        }
        pause(Duration.ofMillis(500));
      }
    }
    return answers;
  }

  /**
   * The first ERROR line of each kind (same text after the time stamp, up to 300 characters) in the node logs that
   * names {@code text} (e.g. a sale id), at most {@code max} of them, each with its log's name.
   */
  public List<String> nodeLogErrors(String text, int max) {
    Map<String, String> firstOfKind = new LinkedHashMap<>();
    try (var logs = Files.list(logs())) {
      for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
        try (var lines = Files.lines(log, StandardCharsets.UTF_8)) {
          lines.filter(line -> line.contains(" ERROR ") && line.contains(text)).forEach(line -> {
            String kind = line.substring(Math.min(line.length(), 13)).replaceAll("\\d+", "#");
            kind = kind.substring(0, Math.min(kind.length(), 300));
            firstOfKind.putIfAbsent(kind, log.getFileName() + ": " + line.substring(0, Math.min(line.length(), 400)));
          });
        }
      }
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of("(could not read the node logs: " + e + ")");
    }
    return firstOfKind.values().stream().limit(max).toList();
  }

  // ---- the read model, by SQL ----

  /** One row of the {@code orders} read table ({@code paymentRef}, {@code paymentStatus}: null when none). */
  public record OrderRow(String id, String userId, int quantity, String status, String paymentRef,
      String paymentStatus) {}

  /** The sale's rows of the {@code orders} read table, by id. */
  public Map<String, OrderRow> readModelOrders(String saleId) throws SQLException {
    Map<String, OrderRow> rows = new LinkedHashMap<>();
    try (Connection c = connect();
         PreparedStatement st = c.prepareStatement("SELECT id, user_id, quantity, status, payment_ref, payment_status "
             + "FROM orders WHERE sale_id = ? ORDER BY order_no")) {
      st.setObject(1, UUID.fromString(saleId));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          OrderRow row = new OrderRow(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
              rs.getString(6));
          if (rows.put(row.id(), row) != null) {
            throw new IllegalStateException("order " + row.id() + " twice in the read model");
          }
        }
      }
    }
    return rows;
  }

  /** The sale's row of the {@code sales} read table, if the projection has written it. */
  public Optional<SaleStats> readModelSale(String saleId) throws SQLException {
    try (Connection c = connect();
         PreparedStatement st = c.prepareStatement(
             "SELECT stock, available, reserved, confirmed, released FROM sales WHERE id = ?")) {
      st.setObject(1, UUID.fromString(saleId));
      try (ResultSet rs = st.executeQuery()) {
        return rs.next()
            ? Optional.of(new SaleStats(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)))
            : Optional.empty();
      }
    }
  }

  /** The offset the read-model projection of {@code tag} has stored (the journal ordering it has read up to). */
  public Optional<String> projectionOffset(String tag) throws SQLException {
    try (Connection c = connect();
         PreparedStatement st = c.prepareStatement("SELECT current_offset FROM akka_projection_offset_store "
             + "WHERE projection_name = 'read-model' AND projection_key = ?")) {
      st.setString(1, tag);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Committed journal rows with an ordering above {@code ordering}. */
  public long committedJournalRowsAbove(long ordering) throws SQLException {
    try (Connection c = connect();
         PreparedStatement st = c.prepareStatement("SELECT count(*) FROM event_journal WHERE ordering > ?")) {
      st.setLong(1, ordering);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** A committed journal row as stored, with its tags. */
  public record JournalRow(long ordering, String adapterManifest, SerializedEvent event, Integer metaSerializerId,
      List<String> tags) {}

  public Optional<JournalRow> journalRow(String persistenceId, long sequenceNr) throws SQLException {
    try (Connection c = connect();
         PreparedStatement st = c.prepareStatement("""
             SELECT j.ordering, j.adapter_manifest, j.event_ser_id, j.event_ser_manifest, j.event_payload, j.meta_ser_id,
                    array(SELECT t.tag FROM event_tag t WHERE t.event_id = j.ordering ORDER BY t.tag)
             FROM event_journal j WHERE j.persistence_id = ? AND j.sequence_number = ?""")) {
      st.setString(1, persistenceId);
      st.setLong(2, sequenceNr);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new JournalRow(rs.getLong(1), rs.getString(2),
            new SerializedEvent(rs.getInt(3), rs.getString(4), rs.getBytes(5)), (Integer) rs.getObject(6),
            List.of((String[]) rs.getArray(7).getArray())));
      }
    }
  }

  // ---- the simulated payment gateway's ledger, by SQL ----

  /** One row of the simulator's ledger ({@code payment_simulator_ledger}): a charge, or a key closed uncharged. */
  public record LedgerRow(String key, String orderId, String status, String paymentRef, Instant chargedAt) {}

  /** The ledger rows of the sale's orders (order ids are {@code <sale id>-<order number>}), oldest first. */
  public List<LedgerRow> ledgerOfSale(String saleId) throws SQLException {
    try (Connection c = connect();
         PreparedStatement st = c.prepareStatement("SELECT payment_key, order_id, status, payment_ref, charged_at "
             + "FROM payment_simulator_ledger WHERE order_id LIKE ? ORDER BY updated_at, payment_key")) {
      st.setString(1, saleId + "-%");
      List<LedgerRow> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          java.sql.Timestamp charged = rs.getTimestamp(5);
          rows.add(new LedgerRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              charged == null ? null : charged.toInstant()));
        }
      }
      return rows;
    }
  }

  /**
   * Keys closed with nothing charged (VOIDED: a sale settled an attempt that never reached the gateway). They name
   * no order, so they are counted for the whole ledger.
   */
  public long voidedKeys() throws SQLException {
    try (Connection c = connect();
         PreparedStatement st = c.prepareStatement(
             "SELECT count(*) FROM payment_simulator_ledger WHERE status = 'VOIDED'")) {
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** A new connection of the test's own to the service's database. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(DATABASE), EmbeddedPostgres.USER, EmbeddedPostgres.PASSWORD);
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/" + database;
  }

  // ---- faults ----

  /**
   * PostgreSQL terminates every connection to the service's database (the nodes' journal, read-model and
   * table pools alike): {@code pg_terminate_backend} of each. Returns how many it terminated.
   */
  public int dropConnections() throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), EmbeddedPostgres.USER, EmbeddedPostgres.PASSWORD);
         PreparedStatement st = c.prepareStatement(
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
      st.setString(1, DATABASE);
      int terminated = 0;
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          if (rs.getBoolean(1)) {
            terminated++;
          }
        }
      }
      return terminated;
    }
  }

  /** Stops the PostgreSQL server ({@code pg_ctl stop -m fast}: every connection is closed). */
  public synchronized void stopDatabase() throws IOException {
    if (postgres == null) {
      throw new IllegalStateException("PostgreSQL is not running");
    }
    EmbeddedPostgres running = postgres;
    postgres = null;
    running.close();
  }

  /** Starts the PostgreSQL server again, on the same data directory and port. */
  public synchronized void startDatabase() throws IOException {
    if (postgres != null) {
      throw new IllegalStateException("PostgreSQL is running");
    }
    postgres = EmbeddedPostgres.start(postgresData, postgresPort);
  }

  public boolean databaseRunning() {
    return postgres != null;
  }

  /**
   * A slow commit: opens a transaction of the test's own that writes {@code event} as the journal row
   * {@code persistenceId} / {@code sequenceNr} tagged {@code tag}, the way akka-persistence-jdbc 5.2.1 writes one
   * (the {@code event_journal} row, its {@code ordering} drawn from the bigserial, then its {@code event_tag} row
   * with {@code event_id = ordering}, in one transaction), serialized with the service's Akka serialization
   * (serialization.conf: Jackson CBOR). The row stays uncommitted until {@link HeldJournalRow#commit()}.
   */
  public HeldJournalRow holdJournalRowOpen(String persistenceId, long sequenceNr, Object event, String tag)
      throws SQLException {
    Connection c = connect();
    try {
      c.setAutoCommit(false);
      return new HeldJournalRow(c, journalRows().insert(c, persistenceId, sequenceNr, event, tag));
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** An event as the journal stores it: serializer id, manifest and bytes. */
  public record SerializedEvent(int serializerId, String manifest, byte[] payload) {}

  /** {@code event} serialized as akka-persistence-jdbc's AkkaSerialization does, with the service's configuration. */
  public SerializedEvent serialize(Object event) {
    Serialization serialization = journalRows().serialization();
    Serializer serializer = serialization.findSerializerFor(event);
    return new SerializedEvent(serializer.identifier(), Serializers.manifestFor(serializer, event),
        serialization.serialize(event).get());
  }

  /** Reads back a journal payload with the service's serialization. */
  public Object deserialize(SerializedEvent event) {
    return journalRows().serialization().deserialize(event.payload(), event.serializerId(), event.manifest()).get();
  }

  /** Starts the serialization's actor system now (it takes seconds on a busy machine), e.g. before a storm. */
  public void prepareSerialization() {
    journalRows();
  }

  private synchronized JournalRows journalRows() {
    if (journalRows == null) {
      journalRows = new JournalRows();
    }
    return journalRows;
  }

  // ---- nodes ----

  /**
   * Restarts every node, one at a time: {@code local stop-node I} (graceful: out of nginx, SIGTERM, it leaves the
   * cluster and hands its shards over), then {@code local start-node I}, then waits until every node sees all
   * nodes Up. Returns how long it took.
   */
  public Duration restartEveryNode() throws IOException, InterruptedException {
    long start = System.nanoTime();
    for (int i = 1; i <= nodes; i++) {
      local.control("stop-node", Integer.toString(i));
      local.control("start-node", Integer.toString(i));
      awaitEveryNodeUp(Duration.ofSeconds(90));
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Waits until every node sees every node as Up (and none unreachable). */
  public void awaitEveryNodeUp(Duration within) {
    SortedSet<Integer> all = IntStream.rangeClosed(1, nodes).boxed().collect(Collectors.toCollection(TreeSet::new));
    Eventually.eventually(within, () -> {
      for (int observer = 1; observer <= nodes; observer++) {
        Set<Integer> up;
        try {
          up = local.upMembers(observer);
        } catch (CompletionException notListening) {
          throw new AssertionError("node " + observer + " does not answer: " + notListening.getCause());
        }
        assertEquals(all, up, "Up members as node " + observer + " sees them");
      }
    });
  }

  /** Node {@code node}'s own HTTP port (not through nginx), e.g. for its {@code /metrics}. */
  public ApiClient nodeApi(int node) {
    return ApiClient.forPort(local.entryPort + node);
  }

  /** Node {@code node}'s Akka Management (cluster membership, shards). */
  public ApiClient management(int node) {
    return ApiClient.forPort(local.managementBase + node);
  }

  /** Node {@code node}'s process id, as {@code local status} lists it. */
  public long nodePid(int node) throws IOException, InterruptedException {
    String status = local.control("status");
    for (String line : status.split("\\R")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length >= 3 && fields[0].equals(Integer.toString(node))) {
        return Long.parseLong(fields[2]);
      }
    }
    throw new IllegalStateException("`local status` does not list node " + node + ":\n" + status);
  }

  /** {@code local kill-node I}: SIGKILL, as in a crash; nginx stops routing to it, the cluster downs it. */
  public void killNode(int node) throws IOException, InterruptedException {
    local.control("kill-node", Integer.toString(node));
  }

  /** {@code local start-node I}: starts a stopped or killed node again; returns once it is ready (in nginx). */
  public void startNode(int node) throws IOException, InterruptedException {
    local.control("start-node", Integer.toString(node));
  }

  /** The sharding's number of shards, as the service configures it (cluster.conf). */
  public static int numberOfShards() {
    return ConfigFactory.parseResources("cluster.conf").getInt("akka.cluster.sharding.number-of-shards");
  }

  /**
   * The shard of a sale's entity as Akka's default message extractor (HashCodeMessageExtractor) computes it:
   * {@code Math.abs(entityId.hashCode() % numberOfShards)}.
   */
  public static String shardOf(String saleId) {
    return Integer.toString(Math.abs(saleId.hashCode() % numberOfShards()));
  }

  /**
   * The Sale shards node {@code node} hosts and the entities running in each, as its Akka Management
   * {@code GET /cluster/shards/Sale} lists them ({@code {"regions":[{"shardId":..,"numEntities":..}]}}).
   */
  public Map<String, Integer> shardsOn(int node) {
    ApiClient.Response response = management(node).get("/cluster/shards/Sale", null);
    if (response.status() != 200) {
      throw new IllegalStateException("node " + node + " /cluster/shards/Sale answered " + response);
    }
    Map<String, Integer> shards = new java.util.TreeMap<>();
    response.json().path("regions").forEach(region ->
        shards.put(region.get("shardId").asText(), region.get("numEntities").asInt()));
    return shards;
  }

  /** Every node's Sale shards ({@link #shardsOn}), by node; a node that does not answer is left out. */
  public Map<Integer, Map<String, Integer>> shardsOnEveryNode() {
    Map<Integer, Map<String, Integer>> all = new java.util.TreeMap<>();
    for (int node = 1; node <= nodes; node++) {
      try {
        all.put(node, shardsOn(node));
      } catch (CompletionException | IllegalStateException notAnswering) {
        // down or not ready: it hosts nothing
      }
    }
    return all;
  }

  /** The nodes whose {@code /cluster/shards/Sale} lists {@code shardId}. */
  public List<Integer> nodesHosting(String shardId) {
    List<Integer> hosts = new ArrayList<>();
    shardsOnEveryNode().forEach((node, shards) -> {
      if (shards.containsKey(shardId)) {
        hosts.add(node);
      }
    });
    return hosts;
  }

  /**
   * The sum of every sample of the metric {@code name} (with any labels matching {@code labels}, e.g.
   * {@code outcome="confirmed"}) in node {@code node}'s {@code GET /metrics}; 0 if it has none.
   */
  public double metric(int node, String name, String labels) {
    return metricSamples(node, name).entrySet().stream()
        .filter(sample -> labels == null || sample.getKey().contains(labels))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  /** Every sample of the metric {@code name} in node {@code node}'s {@code GET /metrics}: series (with labels) to value. */
  public Map<String, Double> metricSamples(int node, String name) {
    ApiClient.Response response = nodeApi(node).get("/metrics", null);
    if (response.status() != 200) {
      throw new IllegalStateException("node " + node + " /metrics answered " + response.status());
    }
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        int space = line.lastIndexOf(' ');
        samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return samples;
  }

  /**
   * Brings the cluster back to its normal state after a scenario that ended half-way: PostgreSQL running, every
   * node started and Up.
   */
  public void ensureHealthy() throws IOException, InterruptedException {
    if (!databaseRunning()) {
      startDatabase();
    }
    for (int i = 1; i <= nodes; i++) {
      boolean answers;
      try {
        answers = ApiClient.forPort(local.managementBase + i).get("/cluster/members", null).status() == 200;
      } catch (CompletionException e) {
        answers = false;
      }
      if (!answers) {
        try {
          local.control("start-node", Integer.toString(i));
        } catch (IllegalStateException alreadyRunning) {
          // it is starting or running already; awaitEveryNodeUp decides
        }
      }
    }
    awaitEveryNodeUp(Duration.ofSeconds(120));
  }

  /** A pause that is part of a fault's schedule (e.g. how long PostgreSQL stays stopped), not a wait for a state. */
  public static void pause(Duration duration) {
    try {
      TimeUnit.NANOSECONDS.sleep(duration.toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops the local cluster (nodes, nginx), then PostgreSQL. */
  @Override
  public void close() throws InterruptedException {
    try {
      if (local != null) {
        local.close();
      }
    } finally {
      try {
        if (postgres != null) {
          postgres.close();
          postgres = null;
        }
      } catch (IOException e) {
        System.err.println("could not stop PostgreSQL: " + e);
      }
      if (journalRows != null) {
        journalRows.close();
      }
    }
  }
}
