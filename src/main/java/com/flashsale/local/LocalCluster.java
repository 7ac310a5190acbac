package com.flashsale.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node processes of a local cluster and the nginx in front of them. It owns every process it starts
 * and is the only one that starts, stops or kills them (the {@code local add-node} etc. commands ask it
 * through {@link ControlServer}). nginx routes only to nodes that are ready: a new node is added once it is
 * an Up member; a node being stopped is taken out before its SIGTERM, so nginx sends it nothing new while
 * it finishes its requests, leaves the cluster and hands its shards over.
 */
final class LocalCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  static final Duration START_TIMEOUT = Duration.ofSeconds(180);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  /** What the cluster knows about node {@code index}. */
  record NodeStatus(int index, String state, long pid, int httpPort, int clusterPort, int managementPort, String log) {}

  private final LocalPorts ports;
  private final Map<String, String> nodeEnv;
  private final Path logDirectory;
  private final LocalNginx nginx;
  private final ConcurrentSkipListMap<Integer, NodeProcess> nodes = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<Integer, String> states = new ConcurrentSkipListMap<>();
  private volatile boolean closing;

  LocalCluster(LocalPorts ports, Map<String, String> nodeEnv, Path logDirectory, LocalNginx nginx) throws IOException {
    this.ports = ports;
    this.nodeEnv = Map.copyOf(nodeEnv);
    this.logDirectory = logDirectory;
    this.nginx = nginx;
    Files.createDirectories(logDirectory);
  }

  /** Starts nodes 1..count at once (node 1 forms the cluster, the others join it) and waits until all are ready. */
  synchronized void startInitial(int count) throws IOException, InterruptedException {
    List<NodeProcess> started = new ArrayList<>();
    for (int index = 1; index <= count; index++) {
      started.add(launch(index, List.of(ports.cluster(1))));
    }
    for (NodeProcess node : started) {
      awaitReady(node);
    }
    routeReadyNodes();
  }

  /** Starts the next node; it joins through the nodes running now. Returns its index once it is ready. */
  synchronized int addNode() throws IOException, InterruptedException {
    int index = states.isEmpty() ? 1 : states.lastKey() + 1;
    startNode(index);
    return index;
  }

  /** (Re)starts node {@code index}, which must not be running; it rejoins the cluster. */
  synchronized void startNode(int index) throws IOException, InterruptedException {
    NodeProcess current = nodes.get(index);
    if (current != null && current.isAlive()) {
      throw new IllegalArgumentException("node " + index + " is already running");
    }
    List<Integer> seeds = nodes.values().stream().filter(NodeProcess::isAlive)
        .map(node -> ports.cluster(node.index())).toList();
    // A node that finds no running node forms a new cluster by itself; one that finds some only joins them
    // (it is never listed as its own seed then, so it cannot form a second cluster beside them).
    awaitReady(launch(index, seeds.isEmpty() ? List.of(ports.cluster(index)) : seeds));
    routeReadyNodes();
  }

  /** Graceful stop: out of nginx first, then SIGTERM; waits until the node has left and exited. */
  synchronized int stopNode(int index) throws IOException, InterruptedException {
    NodeProcess node = running(index);
    states.put(index, "stopping");
    routeReadyNodes();
    int exit = node.stop(STOP_TIMEOUT);
    states.put(index, "stopped");
    log.info("node {} stopped (exit code {})", index, exit);
    return exit;
  }

  /** SIGKILL, as in a crash; nginx stops routing to it. The cluster downs it (split-brain resolver). */
  synchronized int killNode(int index) throws IOException, InterruptedException {
    NodeProcess node = running(index);
    states.put(index, "killed");
    int exit = node.kill();
    routeReadyNodes();
    log.info("node {} killed (exit code {})", index, exit);
    return exit;
  }

  List<NodeStatus> status() {
    List<NodeStatus> status = new ArrayList<>();
    states.forEach((index, state) -> {
      NodeProcess node = nodes.get(index);
      status.add(new NodeStatus(index, state, node.pid(), ports.http(index), ports.cluster(index),
          ports.management(index), node.log().toString()));
    });
    return status;
  }

  /**
   * Stops nginx, then the nodes gracefully, newest first, one at a time (nodes leaving all at once would
   * hand their shards to each other and wait out the hand-off timeouts).
   */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    if (nginx != null) {
      nginx.close();
    }
    for (NodeProcess node : nodes.descendingMap().values()) {
      if (node.isAlive()) {
        states.put(node.index(), "stopping");
        node.stop(STOP_TIMEOUT);
        states.put(node.index(), "stopped");
      }
    }
  }

  private NodeProcess launch(int index, List<Integer> seeds) throws IOException {
    NodeProcess node = NodeProcess.launch(index, ports, seeds, nodeEnv, logDirectory);
    nodes.put(index, node);
    states.put(index, "starting");
    log.info("node {} starting (pid {}, HTTP {}, log {})", index, node.pid(), node.httpPort(), node.log());
    node.onExit().thenRun(() -> exited(node));
    return node;
  }

  private void exited(NodeProcess node) {
    if (closing || nodes.get(node.index()) != node) {
      return;
    }
    String state = states.get(node.index());
    if ("starting".equals(state) || "ready".equals(state)) {
      states.put(node.index(), "exited");
      log.warn("node {} exited unexpectedly; see {}", node.index(), node.log());
      try {
        routeReadyNodes();
      } catch (IOException | InterruptedException e) {
        log.warn("could not take node {} out of nginx: {}", node.index(), e.toString());
      }
    }
  }

  private void awaitReady(NodeProcess node) throws InterruptedException, IOException {
    if (!node.awaitReady(START_TIMEOUT)) {
      states.put(node.index(), node.isAlive() ? "not ready" : "exited");
      throw new IOException("node " + node.index() + " did not become ready; see " + node.log());
    }
    states.put(node.index(), "ready");
    log.info("node {} ready on http://127.0.0.1:{}", node.index(), node.httpPort());
  }

  private NodeProcess running(int index) {
    NodeProcess node = nodes.get(index);
    if (node == null || !node.isAlive()) {
      throw new IllegalArgumentException("node " + index + " is not running");
    }
    return node;
  }

  private synchronized void routeReadyNodes() throws IOException, InterruptedException {
    if (nginx != null) {
      nginx.route(states.entrySet().stream().filter(e -> e.getValue().equals("ready"))
          .map(e -> ports.http(e.getKey())).toList());
    }
  }
}
