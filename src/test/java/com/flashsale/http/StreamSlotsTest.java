package com.flashsale.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Streams held open: at most so many per node and per client, each slot given back once. */
class StreamSlotsTest {

  @Test
  void boundsStreamsPerClientAndPerNodeAndTakesReleasedSlotsBack() {
    StreamSlots slots = new StreamSlots(3, 2);
    StreamSlots.Slot first = slots.take("203.0.113.1").orElseThrow();
    slots.take("203.0.113.1").orElseThrow();

    assertThat(slots.take("203.0.113.1")).as("the client's third").isEmpty();
    StreamSlots.Slot other = slots.take("203.0.113.2").orElseThrow();
    assertThat(slots.take("203.0.113.3")).as("the node's fourth").isEmpty();

    first.release();
    first.release();
    assertThat(slots.take("203.0.113.3")).as("after a release, counted once").isPresent();
    assertThat(slots.take("203.0.113.1")).as("the node is full again").isEmpty();
    other.release();
    Optional<StreamSlots.Slot> again = slots.take("203.0.113.1");
    assertThat(again).as("the first client's slot came back").isPresent();
  }
}
