package com.flashsale.http;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the long-lived responses (server-sent event streams) a node holds open: at most {@code perNode} in
 * all and {@code perClient} per client address, so that one client cannot hold the connections every buyer
 * needs. A stream takes a slot before it starts and gives it back when it ends, however it ends.
 */
public final class StreamSlots {

  /** A slot taken: {@link #release()} gives it back, once, whoever calls it how often. */
  public static final class Slot {
    private final Runnable giveBack;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(Runnable giveBack) {
      this.giveBack = giveBack;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        giveBack.run();
      }
    }
  }

  private final int perNode;
  private final int perClient;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> byClient = new ConcurrentHashMap<>();

  public StreamSlots(int perNode, int perClient) {
    this.perNode = perNode;
    this.perClient = perClient;
  }

  /** A slot for a stream of {@code client}, or empty when the node or the client has all it may have. */
  public Optional<Slot> take(String client) {
    if (open.incrementAndGet() > perNode) {
      open.decrementAndGet();
      return Optional.empty();
    }
    boolean[] taken = {false};
    byClient.compute(client, (key, count) -> {
      int now = count == null ? 0 : count;
      if (now >= perClient) {
        return count;
      }
      taken[0] = true;
      return now + 1;
    });
    if (!taken[0]) {
      open.decrementAndGet();
      return Optional.empty();
    }
    return Optional.of(new Slot(() -> {
      byClient.computeIfPresent(client, (key, count) -> count <= 1 ? null : count - 1);
      open.decrementAndGet();
    }));
  }
}
