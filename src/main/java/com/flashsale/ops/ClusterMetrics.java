package com.flashsale.ops;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.ClusterEvent.CurrentClusterState;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion.CurrentShardRegionState;
import akka.cluster.sharding.ShardRegion.ShardState;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Akka gauges as this node sees the cluster: members by status and unreachable members (read from the
 * cluster's state at each scrape), and the shards and entities of one entity type hosted here (asked of
 * the shard region every {@link #SHARDING_POLL} in the background, since a scrape must not wait on an ask).
 */
final class ClusterMetrics {

  static final Duration SHARDING_POLL = Duration.ofSeconds(10);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

  /** Every member status, by its label value. */
  private static final Map<String, MemberStatus> STATUSES = statuses();

  private ClusterMetrics() {}

  static void bind(MeterRegistry registry, ActorSystem<?> system, EntityTypeKey<?> entityType) {
    Cluster cluster = Cluster.get(system);
    STATUSES.forEach((label, status) -> Gauge.builder("akka.cluster.members", cluster,
            c -> membersWith(c.state(), status))
        .description("Cluster members by status, as this node sees them")
        .tag("status", label)
        .strongReference(true)
        .register(registry));
    Gauge.builder("akka.cluster.unreachable.members", cluster, c -> c.state().getUnreachable().size())
        .description("Members this node's failure detector considers unreachable")
        .strongReference(true)
        .register(registry);

    AtomicLong shards = new AtomicLong();
    AtomicLong entities = new AtomicLong();
    Gauge.builder("akka.cluster.sharding.shards", shards, AtomicLong::get)
        .description("Shards hosted on this node")
        .tag("entity_type", entityType.name())
        .strongReference(true)
        .register(registry);
    Gauge.builder("akka.cluster.sharding.entities", entities, AtomicLong::get)
        .description("Entities running on this node")
        .tag("entity_type", entityType.name())
        .strongReference(true)
        .register(registry);
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(1), SHARDING_POLL,
        () -> pollShardRegion(system, entityType, shards, entities), system.executionContext());
  }

  private static double membersWith(CurrentClusterState state, MemberStatus status) {
    int count = 0;
    for (Member member : state.getMembers()) {
      if (member.status().equals(status)) {
        count++;
      }
    }
    return count;
  }

  /** A failed or late answer leaves the last known values: the next poll tries again. */
  private static void pollShardRegion(ActorSystem<?> system, EntityTypeKey<?> entityType, AtomicLong shards,
      AtomicLong entities) {
    AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(entityType, replyTo), ASK_TIMEOUT, system.scheduler())
        .thenAccept(state -> {
          long entityCount = 0;
          for (ShardState shard : state.getShards()) {
            entityCount += shard.getEntityIds().size();
          }
          shards.set(state.getShards().size());
          entities.set(entityCount);
        });
  }

  private static Map<String, MemberStatus> statuses() {
    Map<String, MemberStatus> statuses = new LinkedHashMap<>();
    statuses.put("joining", MemberStatus.joining());
    statuses.put("weakly_up", MemberStatus.weaklyUp());
    statuses.put("up", MemberStatus.up());
    statuses.put("preparing_for_shutdown", MemberStatus.shuttingDown());
    statuses.put("ready_for_shutdown", MemberStatus.shutDown());
    statuses.put("leaving", MemberStatus.leaving());
    statuses.put("exiting", MemberStatus.exiting());
    statuses.put("down", MemberStatus.down());
    statuses.put("removed", MemberStatus.removed());
    return statuses;
  }
}
