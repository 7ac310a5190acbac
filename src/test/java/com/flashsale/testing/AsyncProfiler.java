package com.flashsale.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * async-profiler (its {@code libasyncProfiler.so}, from Maven Central) attached to a running JVM through
 * {@code jcmd JVMTI.agent_load}, for the measuring tools: start sampling, then write the samples as a flame graph
 * or folded stacks (one line per stack, {@code frame;frame;... count}).
 */
record AsyncProfiler(Path library, long pid) {

  /** Samples the JVM's CPU every millisecond of CPU time from now on: one sample is a millisecond. */
  void startCpu() throws IOException, InterruptedException {
    command("start,event=cpu,interval=1ms");
  }

  /** The samples so far, folded, into {@code file}. */
  void folded(Path file) throws IOException, InterruptedException {
    command("collapsed,file=" + file);
  }

  /** Stops sampling and writes the samples as a flame graph (HTML) with that title. */
  void stop(Path flameGraph, String title) throws IOException, InterruptedException {
    command("stop,file=" + flameGraph + ",title=" + title);
  }

  /** Stops sampling, writing nothing. */
  void stop() throws IOException, InterruptedException {
    command("stop");
  }

  /** Samples of the folded stacks in {@code file}: all of them, and those with a frame containing {@code frame}. */
  static long[] samples(Path file, String frame) {
    try {
      List<String> stacks = Files.readAllLines(file);
      long all = 0;
      long matching = 0;
      for (String stack : stacks) {
        int space = stack.lastIndexOf(' ');
        long count = Long.parseLong(stack.substring(space + 1));
        all += count;
        matching += stack.substring(0, space).contains(frame) ? count : 0;
      }
      return new long[] {all, matching};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One command to the agent; jcmd reads a quoted argument as one, whatever its '=' signs. */
  private void command(String arguments) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("jcmd", Long.toString(pid), "JVMTI.agent_load", library.toString(),
        "\"" + arguments + "\"").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("async-profiler " + arguments + " failed: " + output);
    }
  }
}
