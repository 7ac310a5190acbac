package com.flashsale.local;

import com.flashsale.http.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@code local add-node}, {@code stop-node}, {@code kill-node}, {@code start-node} and {@code status}
 * reach the running {@code local} process: a small HTTP server on loopback, its port and a random token
 * in {@code <data>/local.json} (readable by its owner only). It only translates requests into
 * {@link LocalCluster} calls.
 */
final class ControlServer implements AutoCloseable {

  static final String STATE_FILE = "local.json";
  static final String TOKEN_HEADER = "X-Local-Token";
  private static final Pattern NODE_ACTION = Pattern.compile("/nodes/([0-9]{1,4})/(start|stop|kill)");

  /** What the control commands read from {@code local.json}. */
  record State(int port, String token, long pid) {}

  private final HttpServer server;
  private final Path stateFile;

  private ControlServer(HttpServer server, Path stateFile) {
    this.server = server;
    this.stateFile = stateFile;
  }

  static ControlServer start(LocalCluster cluster, Path dataDirectory) throws IOException {
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> new Thread(r, "local-control")));
    server.createContext("/nodes", exchange -> handle(exchange, token, cluster));
    server.start();
    Path stateFile = dataDirectory.resolve(STATE_FILE);
    Files.deleteIfExists(stateFile);
    Files.createFile(stateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(stateFile, Json.bytes(new State(server.getAddress().getPort(), token, ProcessHandle.current().pid())));
    return new ControlServer(server, stateFile);
  }

  static State readState(Path dataDirectory) throws IOException {
    Path file = dataDirectory.resolve(STATE_FILE);
    if (!Files.exists(file)) {
      throw new IOException("no local cluster runs with data directory " + dataDirectory.toAbsolutePath()
          + " (start one with `flashsale local`, or pass its --data)");
    }
    return Json.MAPPER.readValue(file.toFile(), State.class);
  }

  @Override
  public void close() throws IOException {
    server.stop(0);
    Files.deleteIfExists(stateFile);
  }

  private static void handle(HttpExchange exchange, String token, LocalCluster cluster) throws IOException {
    try (exchange) {
      if (!token.equals(exchange.getRequestHeaders().getFirst(TOKEN_HEADER))) {
        reply(exchange, 403, Map.of("error", "bad control token"));
        return;
      }
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      Matcher action = NODE_ACTION.matcher(path);
      try {
        if (path.equals("/nodes") && method.equals("GET")) {
          reply(exchange, 200, Map.of("nodes", cluster.status()));
        } else if (path.equals("/nodes") && method.equals("POST")) {
          int index = cluster.addNode();
          reply(exchange, 200, Map.of("node", index, "nodes", cluster.status()));
        } else if (action.matches() && method.equals("POST")) {
          int index = Integer.parseInt(action.group(1));
          switch (action.group(2)) {
            case "start" -> cluster.startNode(index);
            case "stop" -> cluster.stopNode(index);
            default -> cluster.killNode(index);
          }
          reply(exchange, 200, Map.of("node", index, "nodes", cluster.status()));
        } else {
          reply(exchange, 404, Map.of("error", "unknown control request " + method + " " + path));
        }
      } catch (IllegalArgumentException e) {
        reply(exchange, 409, Map.of("error", e.getMessage()));
      } catch (IOException e) {
        reply(exchange, 500, Map.of("error", e.getMessage()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        reply(exchange, 500, Map.of("error", "interrupted"));
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = Json.bytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
