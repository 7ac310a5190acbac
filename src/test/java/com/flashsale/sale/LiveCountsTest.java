package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The queue's order ({@link QueueRanks}) and the counts positions and admission are read from ({@link LiveCounts}). */
class LiveCountsTest {

  private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

  @Test
  void everyPrequeueRankComesBeforeEveryArrivalAndArrivalsComeInArrivalOrder() {
    long lastPrequeue = QueueRanks.prequeue(-1L);
    long firstArrival = QueueRanks.arrival(START, 0);

    assertThat(lastPrequeue).isLessThan(QueueRanks.FIRST_ARRIVAL).isLessThan(firstArrival);
    assertThat(QueueRanks.isPrequeue(lastPrequeue)).isTrue();
    assertThat(QueueRanks.isPrequeue(firstArrival)).isFalse();
    // A millisecond later always ranks later, whatever the tie-breaking hash bits.
    assertThat(QueueRanks.arrival(START, -1L)).isLessThan(QueueRanks.arrival(START.plusMillis(1), 0));
    assertThat(QueueRanks.arrivalsFrom(START.plusMillis(1))).isGreaterThan(QueueRanks.arrival(START, -1L));
  }

  @Test
  void bucketsTileTheRanksWithoutGaps() {
    for (long rank : List.of(0L, QueueRanks.prequeue(-1L), QueueRanks.FIRST_ARRIVAL, QueueRanks.arrival(START, 77))) {
      long bucket = QueueRanks.bucket(rank);
      assertThat(QueueRanks.bucketStart(bucket)).isLessThanOrEqualTo(rank);
      assertThat(QueueRanks.bucketEnd(bucket)).isGreaterThan(rank).isEqualTo(QueueRanks.bucketStart(bucket + 1));
    }
    assertThat(QueueRanks.bucket(QueueRanks.prequeue(-1L))).isEqualTo(QueueRanks.PREQUEUE_BUCKETS - 1);
    assertThat(QueueRanks.bucket(QueueRanks.FIRST_ARRIVAL)).isEqualTo(QueueRanks.PREQUEUE_BUCKETS);
  }

  @Test
  void reportsAreAveragedOverTheirPeriods() {
    LiveCounts counts = LiveCounts.average(List.of(Map.of(0L, 40, 3L, 10), Map.of(0L, 60), Map.of(3L, 10)), 2);

    assertThat(counts.byBucket()).containsExactlyInAnyOrderEntriesOf(Map.of(0L, 50.0, 3L, 10.0));
  }

  @Test
  void countsAreReadAsSpreadEvenlyOverEachBucket() {
    LiveCounts counts = LiveCounts.of(Map.of(0L, 100.0, 2L, 40.0));
    long width = QueueRanks.bucketEnd(0) - QueueRanks.bucketStart(0);

    assertThat(counts.between(0, width / 4)).isCloseTo(25, within(1e-6));
    assertThat(counts.between(width / 2, 3 * width)).isCloseTo(90, within(1e-6));
    assertThat(counts.from(width / 2)).isCloseTo(90, within(1e-6));
    assertThat(counts.between(width, 2 * width)).isZero();
    assertThat(counts.between(5, 5)).isZero();
  }

  @Test
  void theWatermarkMovesPastExactlyTheBudgetAndCrossesEmptyRanksFree() {
    LiveCounts counts = LiveCounts.of(Map.of(0L, 100.0, 2L, 40.0));
    long width = QueueRanks.bucketEnd(0);

    LiveCounts.Advance first = counts.advance(0, 30, Long.MAX_VALUE);
    assertThat(first.admitted()).isEqualTo(30);
    assertThat(counts.between(0, first.watermark())).isCloseTo(30, within(1e-6));

    // 70 left in bucket 0, nobody in bucket 1, 40 in bucket 2: 80 reach 10 into bucket 2.
    LiveCounts.Advance second = counts.advance(first.watermark(), 80, Long.MAX_VALUE);
    assertThat(second.watermark()).isGreaterThan(2 * width);
    assertThat(counts.between(2 * width, second.watermark())).isCloseTo(10, within(1e-6));
  }

  @Test
  void theWatermarkNeverPassesItsLimitNorMovesWithoutBudget() {
    LiveCounts counts = LiveCounts.of(Map.of(0L, 10.0));
    long limit = QueueRanks.bucketEnd(5);

    LiveCounts.Advance all = counts.advance(0, 1_000, limit);
    assertThat(all.watermark()).isEqualTo(limit);
    assertThat(all.admitted()).isCloseTo(10, within(1e-6));
    assertThat(counts.advance(7, 0, limit)).isEqualTo(new LiveCounts.Advance(7, 0));
    assertThat(counts.advance(limit, 5, limit)).isEqualTo(new LiveCounts.Advance(limit, 0));
  }
}
