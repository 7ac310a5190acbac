package com.flashsale.testing;

import com.flashsale.FlashSaleNode;
import com.flashsale.NodeConfig;
import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Starts real nodes (actor system, sharding, PostgreSQL, HTTP) on loopback for tests. */
public final class TestNodes {

  public static final String JWT_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

  private TestNodes() {}

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The configuration of a test node on {@code clusterPort}, joining the cluster of {@code seedPorts},
   * with HTTP on a free port; {@code extra} overrides anything.
   */
  public static Config config(String dbUrl, int clusterPort, List<Integer> seedPorts, Map<String, Object> extra) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("flashsale.db.url", dbUrl);
    overrides.put("flashsale.db.user", TestDatabase.user());
    overrides.put("flashsale.db.password", TestDatabase.password());
    overrides.put("flashsale.http.host", "127.0.0.1");
    overrides.put("flashsale.http.port", 0);
    overrides.put("flashsale.env", "development");
    overrides.put("flashsale.jwt.secret", JWT_SECRET);
    overrides.put("flashsale.password.bcrypt-cost", 4);
    overrides.put("flashsale.management.enabled", "off");
    overrides.put("flashsale.payment.simulator-delay", "10ms");
    // Every test client is 127.0.0.1; RateLimitTest switches the limits on.
    overrides.put("flashsale.rate-limits.enabled", "off");
    // Ready at once; WarmupTest switches the warm-up on.
    overrides.put("flashsale.warmup.enabled", "off");
    overrides.put("akka.remote.artery.canonical.hostname", "127.0.0.1");
    overrides.put("akka.remote.artery.canonical.port", clusterPort);
    overrides.put("akka.cluster.seed-nodes", seedPorts.stream().map(p -> "akka://flashsale@127.0.0.1:" + p).toList());
    overrides.put("akka.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    overrides.put("akka.coordinated-shutdown.exit-jvm", "off");
    overrides.put("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    overrides.put("akka.loglevel", "WARNING");
    overrides.putAll(extra);
    return NodeConfig.load(overrides, null);
  }

  /** A single node forming its own cluster. */
  public static FlashSaleNode.Running single(String dbUrl, Clock clock, Map<String, Object> extra) {
    int port = freePort();
    return FlashSaleNode.start(config(dbUrl, port, List.of(port), extra), clock);
  }
}
