package com.flashsale.local;

import static akka.http.javadsl.server.Directives.complete;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The ceiling a node's hot paths are measured against: Akka HTTP with the node's own server settings
 * ({@code http.conf}) answering every request with one constant JSON response, in a JVM started like a node's.
 * With a second port it also starts nginx in front of itself, with the node's {@code nginx.conf} (rate limits
 * off), for the ceiling through nginx. A measuring tool run by {@code gatling/hot-path.sh}, not a test.
 *
 * <pre>java -cp ... com.flashsale.local.BareServer PORT [NGINX_PORT]</pre>
 */
public final class BareServer {

  private BareServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Config config = ConfigFactory.parseResources("http.conf")
        .withFallback(ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare", config);
    HttpResponse constant = HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(ContentTypes.APPLICATION_JSON, "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8));
    Http.get(system).newServerAt("127.0.0.1", port).bind(complete(constant)).toCompletableFuture().join();
    LocalNginx nginx = null;
    if (args.length > 1) {
      Path directory = Files.createTempDirectory("bare-nginx-");
      Path binary = LocalNginx.find(System.getenv("FLASHSALE_NGINX"), System.getenv("PATH"))
          .orElseThrow(() -> new IllegalStateException("no nginx found"));
      nginx = LocalNginx.start(binary, directory, Integer.parseInt(args[1]), false, List.of(port));
    }
    System.out.println("bare server listening on " + port + (nginx == null ? "" : ", nginx on " + args[1]));
    LocalNginx started = nginx;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (started != null) {
        try {
          started.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      system.terminate();
      stopped.countDown();
    }));
    stopped.await();
  }
}
