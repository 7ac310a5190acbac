package com.flashsale.local;

import com.flashsale.NodeConfig;
import com.flashsale.storage.EmbeddedPostgres;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flashsale local}: FlashSale on one machine with one command: an embedded PostgreSQL (data kept
 * under {@code ./data}) unless FLASHSALE_DB_URL is set, N node processes on loopback, nginx in front of
 * them when it is installed (else node 1 serves the entry port), and demo data (an admin, a product, a sale
 * going live a minute later). Ctrl-C stops it all; the subcommands operate a running one.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run FlashSale locally: embedded PostgreSQL, N nodes behind nginx, demo data.",
    subcommands = {LocalControlCommands.AddNode.class, LocalControlCommands.StartNode.class,
        LocalControlCommands.StopNode.class, LocalControlCommands.KillNode.class, LocalControlCommands.Status.class})
public final class LocalCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(LocalCommand.class);

  @Spec
  CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--data", defaultValue = "data", description = "Data directory (default ./${DEFAULT-VALUE}).")
  Path dataDirectory;

  @Option(names = "--http-port", defaultValue = "8080",
      description = "Entry port: nginx, or node 1 without nginx (default ${DEFAULT-VALUE}). Node I serves HTTP on this + I.")
  int httpPort;

  @Option(names = "--cluster-port", defaultValue = "25520",
      description = "Node I's cluster (Akka remoting) port is this + I (default ${DEFAULT-VALUE}).")
  int clusterPort;

  @Option(names = "--management-port", defaultValue = "8558",
      description = "Node I's Akka Management port (/cluster/members) is this + I (default ${DEFAULT-VALUE}).")
  int managementPort;

  @Option(names = "--no-nginx",
      description = "No nginx even when installed: node 1 serves the entry port itself (e.g. to benchmark one node).")
  boolean noNginx;

  @Option(names = "--db-port", defaultValue = "54329",
      description = "Port of the embedded PostgreSQL, 0 for any free one (default ${DEFAULT-VALUE}).")
  int dbPort;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (nodes < 1 || nodes > 9) {
      err.println("flashsale local: --nodes must be 1 to 9");
      return 2;
    }
    Files.createDirectories(dataDirectory);
    Map<String, String> nodeEnv = new HashMap<>(System.getenv());
    // A local run is a developer's (the payment simulator, rate limits as set), unless the environment says
    // otherwise; its secrets are its data directory's own all the same.
    nodeEnv.putIfAbsent("FLASHSALE_ENV", "development");
    List<String> generated = LocalSecrets.fill(nodeEnv, dataDirectory);
    Config config = NodeConfig.load(Map.of("flashsale.env", nodeEnv.get("FLASHSALE_ENV"),
        "flashsale.jwt.secret", nodeEnv.get(LocalSecrets.JWT_SECRET),
        "flashsale.admin.password", nodeEnv.get(LocalSecrets.ADMIN_PASSWORD),
        "flashsale.cluster-tls.keystore", nodeEnv.get(LocalSecrets.CLUSTER_KEYSTORE),
        "flashsale.cluster-tls.keystore-password", nodeEnv.get(LocalSecrets.CLUSTER_KEYSTORE_PASSWORD)),
        System.getenv("FLASHSALE_SEED_NODES"));
    Optional<Path> nginxBinary = noNginx ? Optional.empty()
        : LocalNginx.find(System.getenv("FLASHSALE_NGINX"), System.getenv("PATH"));
    LocalPorts ports = new LocalPorts(httpPort, clusterPort, managementPort, nginxBinary.isPresent());

    Resources resources = new Resources();
    Runtime.getRuntime().addShutdownHook(new Thread(resources::close, "flashsale-local-shutdown"));
    try {
      String dbDescription = "FLASHSALE_DB_URL";
      if (System.getenv("FLASHSALE_DB_URL") == null) {
        resources.postgres = EmbeddedPostgres.start(dataDirectory.resolve("postgres").toAbsolutePath(), dbPort);
        nodeEnv.put("FLASHSALE_DB_URL", resources.postgres.createDatabase("flashsale"));
        nodeEnv.put("FLASHSALE_DB_USER", EmbeddedPostgres.USER);
        nodeEnv.put("FLASHSALE_DB_PASSWORD", EmbeddedPostgres.PASSWORD);
        dbDescription = resources.postgres.jdbcUrl("flashsale") + " (data in " + dataDirectory + ")";
      }
      if (nginxBinary.isPresent()) {
        resources.nginx = LocalNginx.start(nginxBinary.get(), dataDirectory.resolve("nginx").toAbsolutePath(),
            httpPort, config.getBoolean("flashsale.rate-limits.enabled"), List.of());
      } else if (noNginx) {
        log.info("--no-nginx: node 1 serves port {} itself", httpPort);
      } else {
        log.warn("nginx is not installed (apt-get install nginx-light): node 1 serves port {} itself", httpPort);
      }
      resources.cluster = new LocalCluster(ports, nodeEnv, dataDirectory.resolve("logs"), resources.nginx);
      resources.cluster.startInitial(nodes);
      resources.control = ControlServer.start(resources.cluster, dataDirectory);

      String baseUrl = "http://127.0.0.1:" + httpPort;
      String adminEmail = config.getString("flashsale.admin.email");
      DemoData.Demo demo = new DemoData(baseUrl).create(adminEmail, config.getString("flashsale.admin.password"));
      log.info("""

          FlashSale is running: {} node(s){}.
            Storefront     {}/
            Admin console  {}/admin
            API            {}/api/sales
            Demo sale      {}/api/sales/{} (goes live at {})
            Health         {}/health/ready
            Cluster        http://127.0.0.1:{}/cluster/members
            Admin login    {} ({})
            PostgreSQL     {}
          Node logs in {}; `flashsale local status|add-node|stop-node I|kill-node I|start-node I` operate it.
          Press Ctrl-C to stop.""",
          nodes, nginxBinary.isPresent() ? " behind nginx" : "", baseUrl, baseUrl, baseUrl, baseUrl, demo.saleId(),
          demo.startsAt(),
          baseUrl, ports.management(1), adminEmail, adminPasswordHint(generated, config.getString("flashsale.admin.password")), dbDescription,
          dataDirectory.resolve("logs"));
    } catch (IOException | RuntimeException e) {
      err.println("flashsale local: " + e.getMessage());
      resources.close();
      return 1;
    }
    new CountDownLatch(1).await();
    return 0;
  }

  /** Where the admin's password is: shown here the one time it is generated, else named. */
  private String adminPasswordHint(List<String> generated, String password) {
    Path file = dataDirectory.resolve(LocalSecrets.FILE);
    if (generated.contains(LocalSecrets.ADMIN_PASSWORD)) {
      return "password " + password + ", generated now and kept in " + file;
    }
    return System.getenv(LocalSecrets.ADMIN_PASSWORD) != null
        ? "password from FLASHSALE_ADMIN_PASSWORD" : "password in " + file;
  }

  /** Everything a local run started, stopped in reverse order (on Ctrl-C or a failed start). */
  private static final class Resources {
    EmbeddedPostgres postgres;
    LocalNginx nginx;
    LocalCluster cluster;
    ControlServer control;
    private boolean closed;

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (control != null) {
          control.close();
        }
        if (cluster != null) {
          cluster.close();
        } else if (nginx != null) {
          nginx.close();
        }
        if (postgres != null) {
          postgres.close();
        }
      } catch (IOException e) {
        log.warn("Could not stop everything cleanly: {}", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
