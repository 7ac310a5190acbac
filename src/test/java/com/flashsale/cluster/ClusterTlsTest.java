package com.flashsale.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.flashsale.NodeConfig;
import com.flashsale.local.ClusterKeystore;
import com.flashsale.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster transport's mutual TLS, on the node's own configuration: a node holding the cluster's key store
 * joins; one holding another key store (anything that merely reaches the cluster port) never becomes a member.
 */
class ClusterTlsTest {

  private static final String PASSWORD = "a-keystore-password";

  @TempDir
  Path directory;

  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  @AfterEach
  void stop() {
    systems.forEach(ActorSystem::terminate);
  }

  private ActorSystem<Void> node(Path keystore, int port, int seedPort) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "flashsale", NodeConfig.load(Map.of(
        "flashsale.env", "development",
        "flashsale.cluster-tls.keystore", keystore.toString(),
        "flashsale.cluster-tls.keystore-password", PASSWORD,
        "akka.remote.artery.canonical.hostname", "127.0.0.1",
        "akka.remote.artery.canonical.port", port,
        "akka.cluster.seed-nodes", List.of("akka://flashsale@127.0.0.1:" + seedPort),
        "akka.cluster.jmx.multi-mbeans-in-same-jvm", "on",
        "akka.coordinated-shutdown.exit-jvm", "off",
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off",
        "akka.loglevel", "ERROR"), null));
    systems.add(system);
    return system;
  }

  private static long upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
  }

  @Test
  void aNodeWithTheClusterKeystoreJoinsAndOneWithAnotherNeverDoes() throws Exception {
    Path ours = directory.resolve("cluster.p12");
    Path another = directory.resolve("another.p12");
    ClusterKeystore.generate(ours, PASSWORD);
    ClusterKeystore.generate(another, PASSWORD);
    int seedPort = TestNodes.freePort();

    ActorSystem<Void> seed = node(ours, seedPort, seedPort);
    assertThat(seed.settings().config().getString("akka.remote.artery.transport")).isEqualTo("tls-tcp");
    node(ours, TestNodes.freePort(), seedPort);
    TestProbe<Void> watch = TestProbe.create(seed);
    watch.awaitAssert(Duration.ofSeconds(30), () -> {
      assertThat(upMembers(seed)).isEqualTo(2);
      return null;
    });

    TestProbe<ClusterEvent.MemberEvent> events = TestProbe.create(seed);
    Cluster.get(seed).subscriptions().tell(new Subscribe<>(events.getRef(), ClusterEvent.MemberEvent.class));
    events.receiveSeveralMessages(2); // the two members, as the subscription's initial state
    ActorSystem<Void> stranger = node(another, TestNodes.freePort(), seedPort);

    // A stranger retries its join to the seed every few seconds; each attempt fails the TLS handshake.
    events.expectNoMessage(Duration.ofSeconds(12));
    assertThat(upMembers(seed)).isEqualTo(2);
    assertThat(Cluster.get(stranger).selfMember().status()).isNotEqualTo(MemberStatus.up());
  }
}
