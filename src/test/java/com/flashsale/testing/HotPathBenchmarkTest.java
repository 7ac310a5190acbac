package com.flashsale.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.testing.HotPathBenchmark.FreshStarts;
import com.flashsale.testing.HotPathBenchmark.Measured;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hot-path tool's bookkeeping: fresh starts kept between its runs read back as they were, and its medians. */
class HotPathBenchmarkTest {

  @Test
  void eachStartsStormsReadBackAsTheyWereKept(@TempDir Path directory) throws IOException {
    Path file = directory.resolve("first-seconds.tsv");
    List<Measured> first = List.of(storm(1, 3800.5, 48.2, 395), storm(2, 4300, 36.5, 340));
    List<Measured> second = List.of(storm(1, 4100, 44.0, 380), storm(2, 5000, 31.0, 250));

    FreshStarts.append(file, first);
    FreshStarts.append(file, second);

    assertThat(FreshStarts.read(file)).containsExactly(first, second);
    assertThat(FreshStarts.read(directory.resolve("none.tsv"))).isEmpty();
    assertThat(FreshStarts.read(null)).isEmpty();
  }

  @Test
  void theMedianIsTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
    assertThat(HotPathBenchmark.median(List.of(0.83, 0.68, 0.71))).isEqualTo(0.71);
    assertThat(HotPathBenchmark.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(HotPathBenchmark.median(List.of(7.0))).isEqualTo(7.0);
  }

  private static Measured storm(int i, double rate, double p99, double nodeMicros) {
    return new Measured("storm " + i + " after ready: reservations", rate, p99,
        Map.of("node", nodeMicros));
  }
}
