package com.flashsale.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of processes and of the machine, from {@code /proc}, for the measuring tools: what a process tree (a
 * JVM, PostgreSQL's postmaster and its backends, nginx's master and workers) spent between two readings, so that
 * a run's cost can be put per request. Linux counts in clock ticks of 10 ms (USER_HZ 100).
 */
final class ProcessCpu {

  static final double MICROS_PER_TICK = 10_000.0;

  private ProcessCpu() {}

  /** Ticks spent so far by each named process with its descendants, by name. */
  static Map<String, Long> ticks(Map<String, Long> pids) {
    Map<String, Long> ticks = new LinkedHashMap<>();
    pids.forEach((name, pid) -> ticks.put(name, treeTicks(pid)));
    return ticks;
  }

  /**
   * User and system ticks of {@code pid}, of its children it has reaped (a PostgreSQL backend that ended) and of
   * its live descendants.
   */
  static long treeTicks(long pid) {
    long[] own = stat(pid);
    long total = own[0] + own[1];
    for (ProcessHandle descendant : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
      long[] stat = stat(descendant.pid());
      total += stat[0];
    }
    return total;
  }

  /** utime + stime, and cutime + cstime, of one process (zeros once it is gone). */
  private static long[] stat(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(fields[11]) + Long.parseLong(fields[12]),
          Long.parseLong(fields[13]) + Long.parseLong(fields[14])};
    } catch (NoSuchFileException gone) {
      return new long[] {0, 0};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Ticks spent so far by the JIT compiler's threads of a JVM (their names start "C1 Compiler", "C2 Compiler"). */
  static long compilerTicks(long pid) {
    long total = 0;
    try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads.toList()) {
        String stat;
        try {
          stat = Files.readString(thread.resolve("stat"));
        } catch (NoSuchFileException ended) {
          continue;
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }

  /** The machine's busy ticks so far (all but idle and iowait), from the first line of /proc/stat. */
  static long machineBusyTicks() {
    try {
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      return total - Long.parseLong(fields[4]) - Long.parseLong(fields[5]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits (up to a minute) until the machine is nearly idle (under a fifth of a core busy for a second), as after
   * the read model and PostgreSQL have caught up with a storm's orders, so that no run measures the one before.
   */
  static void quiesce() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    long last = machineBusyTicks();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1000); // a second of the machine's CPU time: what this waits on has no other signal
      long now = machineBusyTicks();
      if (now - last < 20) {
        return;
      }
      last = now;
    }
  }
}
