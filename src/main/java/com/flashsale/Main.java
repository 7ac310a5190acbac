package com.flashsale;

import com.flashsale.admin.AdminCommand;
import com.flashsale.local.LocalCommand;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The one executable: {@code node} starts a cluster node, {@code local} a whole local setup, {@code admin}
 * administers a running one through its HTTP API.
 */
@Command(name = "flashsale", mixinStandardHelpOptions = true, version = "flashsale 0.1.0",
    description = "Flash sales on an Akka cluster.",
    subcommands = {Main.NodeCommand.class, LocalCommand.class, AdminCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    // With fewer than 3 cores the JDK's common pool has parallelism 1 and CompletableFuture's default
    // async executor starts a thread per task; Scala's converted futures (Akka's ask) use it for
    // every callback. Must be set before anything touches ForkJoinPool.
    System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
        System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4"));
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof NodeConfig.InvalidConfig) {
        commandLine.getErr().println("flashsale: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    int exit = cli.execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "node", mixinStandardHelpOptions = true,
      description = "Start a node, configured by the FLASHSALE_* environment variables (see README).")
  static final class NodeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
      FlashSaleNode.start(NodeConfig.load(Map.of(), System.getenv("FLASHSALE_SEED_NODES")), Clock.systemUTC());
      return 0;
    }
  }
}
