package com.flashsale.local;

import com.flashsale.FlashSaleNode;
import com.flashsale.NodeConfig;
import com.flashsale.storage.EmbeddedPostgres;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flashsale local}: everything needed to try FlashSale on one machine with one command: an
 * embedded PostgreSQL (data kept under {@code ./data}) unless FLASHSALE_DB_URL is set, a node, and
 * demo data (an admin, a product, a sale going live a minute later). Ctrl-C stops it all.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run FlashSale locally: embedded PostgreSQL, a node and demo data.")
public final class LocalCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(LocalCommand.class);

  @Spec
  CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "1", description = "Number of nodes (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--data", defaultValue = "data", description = "Data directory (default ./${DEFAULT-VALUE}).")
  Path dataDirectory;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--db-port", defaultValue = "54329",
      description = "Port of the embedded PostgreSQL (default ${DEFAULT-VALUE}).")
  int dbPort;

  @Override
  public Integer call() throws Exception {
    if (nodes != 1) {
      spec.commandLine().getErr().println("flashsale local: only --nodes 1 is supported so far");
      return 2;
    }
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("flashsale.http.port", httpPort);
    EmbeddedPostgres postgres = null;
    if (System.getenv("FLASHSALE_DB_URL") == null) {
      postgres = EmbeddedPostgres.start(dataDirectory.resolve("postgres").toAbsolutePath(), dbPort);
      overrides.put("flashsale.db.url", postgres.createDatabase("flashsale"));
      overrides.put("flashsale.db.user", EmbeddedPostgres.USER);
      overrides.put("flashsale.db.password", EmbeddedPostgres.PASSWORD);
    }
    Config config = NodeConfig.load(overrides, System.getenv("FLASHSALE_SEED_NODES"));
    FlashSaleNode.Running node = FlashSaleNode.start(config, Clock.systemUTC());
    EmbeddedPostgres database = postgres;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.system().getWhenTerminated().toCompletableFuture().join();
      closeQuietly(database);
    }, "flashsale-local-shutdown"));

    String baseUrl = "http://127.0.0.1:" + node.httpPort();
    String adminEmail = config.getString("flashsale.admin.email");
    DemoData.Demo demo = new DemoData(baseUrl).create(adminEmail, config.getString("flashsale.admin.password"));
    log.info("""

        FlashSale is running.
          API            {}/api/sales
          Demo sale      {}/api/sales/{} (goes live at {})
          Health         {}/health/ready
          Admin login    {} (password from FLASHSALE_ADMIN_PASSWORD, default in the README)
          PostgreSQL     {}
        Press Ctrl-C to stop.""",
        baseUrl, baseUrl, demo.saleId(), demo.startsAt(), baseUrl, adminEmail,
        database != null ? database.jdbcUrl("flashsale") + " (data in " + dataDirectory + ")" : "FLASHSALE_DB_URL");
    node.system().getWhenTerminated().toCompletableFuture().join();
    return 0;
  }

  private static void closeQuietly(EmbeddedPostgres database) {
    if (database != null) {
      try {
        database.close();
      } catch (Exception e) {
        log.warn("Could not stop the embedded PostgreSQL cleanly: {}", e.toString());
      }
    }
  }
}
