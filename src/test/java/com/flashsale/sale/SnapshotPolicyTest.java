package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The snapshot rule over whole sale histories: a sale that only grows (a flash sale selling out) and
 * random mixes of new orders and events that make none (payments, cancellations, expiries). Whatever
 * the history, recovery replays fewer events than the sale then holds orders (or {@code every}), and
 * snapshots copy at most about two orders per event.
 */
class SnapshotPolicyTest {

  private static final int EVERY = 5_000;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
  void boundsReplayAndCopyingWhateverTheHistory(int seed) {
    Random random = new Random(seed);
    // Seed 0: every event is a new order, as while 300,000 units sell out.
    double newOrderShare = seed == 0 ? 1.0 : random.nextDouble();
    int orders = 0;
    long lastSnapshot = 0;
    long copied = 0;
    long events = 300_000;
    List<Long> snapshots = new ArrayList<>();
    for (long seqNr = 1; seqNr <= events; seqNr++) {
      if (random.nextDouble() < newOrderShare) {
        orders++;
      }
      if (SnapshotPolicy.isDue(seqNr, orders, EVERY)) {
        snapshots.add(seqNr);
        copied += orders;
        lastSnapshot = seqNr;
      }
      // Were the node to stop now, recovery would replay the events since the last snapshot.
      assertThat(seqNr - lastSnapshot).isLessThan(Math.max(EVERY, orders));
    }
    assertThat(copied).isLessThanOrEqualTo(2 * events);
    if (seed == 0) {
      assertThat(snapshots).containsExactly(5_000L, 10_000L, 20_000L, 40_000L, 80_000L, 160_000L);
    }
  }
}
