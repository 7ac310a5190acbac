package com.flashsale.sale;

/**
 * When a sale takes a snapshot. A snapshot holds every order of the sale, and the entity waits for it
 * to be written before it decides the next command, so a fixed interval makes a growing sale copy its
 * whole state again and again (a 100,000-unit sale: 20 copies, the last ones pausing purchases for
 * most of a second each). Instead the interval is the largest of {@code every}, 2 × {@code every},
 * 4 × {@code every} ... that is not above the sale's order count, and a snapshot is taken at each
 * multiple of it:
 * <ul>
 *   <li>recovery replays fewer events than the recovered sale holds orders (or {@code every}), so it
 *       takes at most about twice as long as loading a snapshot of the whole sale;
 *   <li>snapshots copy at most about two orders per event however big the sale grows (a 100,000-unit
 *       sale: at 5,000, 10,000, 20,000, 40,000 and 80,000 orders).
 * </ul>
 * Every interval is {@code every} times a power of two, so a larger one's multiples are multiples of every
 * smaller one (released orders leave a sale, so its interval may also shrink). Akka 2.8 deletes no snapshot
 * taken by such a rule: a sale keeps all of its snapshots, together about twice its largest size.
 */
final class SnapshotPolicy {

  private SnapshotPolicy() {}

  static boolean isDue(long sequenceNr, int orders, int every) {
    long interval = every;
    while (interval * 2 <= orders) {
      interval *= 2;
    }
    return sequenceNr % interval == 0;
  }
}
