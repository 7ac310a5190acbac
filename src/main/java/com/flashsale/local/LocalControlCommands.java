package com.flashsale.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.flashsale.http.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code local add-node | start-node I | stop-node I | kill-node I | status}: operate the cluster of a
 * running {@code flashsale local} (found through its data directory) and print its nodes afterwards.
 */
final class LocalControlCommands {

  private LocalControlCommands() {}

  /** What every control command shares: the data directory naming the running local cluster, and the call. */
  abstract static class ControlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "data",
        description = "Data directory of the running `local` (default ./${DEFAULT-VALUE}).")
    Path dataDirectory;

    Integer call(String method, String path) throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      ControlServer.State state;
      try {
        state = ControlServer.readState(dataDirectory);
      } catch (IOException e) {
        err.println("flashsale local: " + e.getMessage());
        return 1;
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + state.port() + path))
          .header(ControlServer.TOKEN_HEADER, state.token())
          .timeout(LocalCluster.START_TIMEOUT.plus(Duration.ofSeconds(30)))
          .method(method, HttpRequest.BodyPublishers.noBody()).build();
      HttpResponse<String> response;
      try {
        response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
      } catch (ConnectException e) {
        err.println("flashsale local: the local cluster (pid " + state.pid() + ") does not answer; is it still running?");
        return 1;
      }
      JsonNode body = Json.MAPPER.readTree(response.body());
      if (response.statusCode() != 200) {
        err.println("flashsale local: " + body.path("error").asText());
        return 1;
      }
      printNodes(spec.commandLine().getOut(), body.get("nodes"));
      return 0;
    }
  }

  @Command(name = "add-node", mixinStandardHelpOptions = true,
      description = "Start one more node; it joins the cluster and nginx routes to it once it is ready.")
  static final class AddNode extends ControlCommand {
    @Override
    public Integer call() throws Exception {
      return call("POST", "/nodes");
    }
  }

  /** A command on one node: {@code POST /nodes/<I>/<action>} on the control port. */
  abstract static class NodeCommand extends ControlCommand {
    @Parameters(paramLabel = "I", description = "Node number.")
    int index;

    abstract String action();

    @Override
    public Integer call() throws Exception {
      return call("POST", "/nodes/" + index + "/" + action());
    }
  }

  @Command(name = "start-node", mixinStandardHelpOptions = true,
      description = "Start a stopped or killed node again; it rejoins the cluster.")
  static final class StartNode extends NodeCommand {
    @Override
    String action() {
      return "start";
    }
  }

  @Command(name = "stop-node", mixinStandardHelpOptions = true,
      description = "Stop a node gracefully: nginx stops routing to it, then SIGTERM (it finishes its requests, "
          + "leaves the cluster and hands its shards over).")
  static final class StopNode extends NodeCommand {
    @Override
    String action() {
      return "stop";
    }
  }

  @Command(name = "kill-node", mixinStandardHelpOptions = true,
      description = "Kill a node with SIGKILL, as in a crash; the cluster downs it and moves its shards.")
  static final class KillNode extends NodeCommand {
    @Override
    String action() {
      return "kill";
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "List the nodes of the local cluster.")
  static final class Status extends ControlCommand {
    @Override
    public Integer call() throws Exception {
      return call("GET", "/nodes");
    }
  }

  static void printNodes(PrintWriter out, JsonNode nodes) {
    String format = "%-4s %-10s %-8s %-6s %-8s %-10s %s%n";
    out.printf(format, "node", "state", "pid", "http", "cluster", "management", "log");
    for (JsonNode node : nodes) {
      out.printf(format, node.get("index").asText(), node.get("state").asText(), node.get("pid").asText(),
          node.get("httpPort").asText(), node.get("clusterPort").asText(), node.get("managementPort").asText(),
          node.get("log").asText());
    }
    out.flush();
  }
}
