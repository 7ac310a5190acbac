package com.flashsale.http;

import static akka.http.javadsl.server.Directives.complete;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.flashsale.ErrorCode;
import com.flashsale.storage.Database;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.sharding.ShardRegion.CurrentShardRegionState;

/**
 * Alive: the process answers. Ready: this node is an Up cluster member, has warmed up ({@code warmup.Warmup}), the
 * database answers and sharding has started, so nginx may send it traffic.
 */
public final class HealthRoutes {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final Database db;
  private final EntityTypeKey<?> entityType;
  private final BooleanSupplier warmedUp;

  public HealthRoutes(ActorSystem<?> system, Database db, EntityTypeKey<?> entityType, BooleanSupplier warmedUp) {
    this.system = system;
    this.db = db;
    this.entityType = entityType;
    this.warmedUp = warmedUp;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/health/alive", () -> complete(Json.ok(Map.of("status", "alive")))),
        Endpoint.get("/health/ready", () -> Routes.completeAsync(readiness().thenApply(problem -> problem == null
            ? Json.ok(Map.of("status", "ready"))
            : Problem.response(ErrorCode.OVERLOADED, problem)))));
  }

  /** Null when ready, else why not. */
  private CompletionStage<String> readiness() {
    if (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
      return CompletableFuture.completedFuture("This node is not an Up cluster member yet");
    }
    if (!warmedUp.getAsBoolean()) {
      return CompletableFuture.completedFuture("This node is warming up");
    }
    CompletionStage<Boolean> shardRegionAnswers = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(entityType, replyTo), TIMEOUT, system.scheduler())
        .handle((state, failure) -> failure == null);
    CompletionStage<Boolean> databaseAnswers = db.run(c -> c.isValid(2)).handle((valid, failure) ->
        failure == null && valid);
    return shardRegionAnswers.thenCombine(databaseAnswers, (sharding, database) -> {
      if (!sharding) {
        return "Sharding has not started";
      }
      return database ? null : "The database does not answer";
    });
  }
}
