package com.flashsale.sale;

import com.typesafe.config.Config;
import java.time.Duration;
import java.time.Instant;

/**
 * The waiting rooms' tunables ({@code flashsale.waiting-room} in flashsale.conf). A waiting buyer near the front
 * checks in about every {@code heartbeat} (each node counts the check-ins of one heartbeat period, and the sale
 * merges them); one further back, less often, up to every {@code longest-check-in}; a ticket checked in
 * {@code abandon-after} later than it was asked to has lost its place. A sale's room moves admission on every
 * {@code tick}; an admission pass is valid for {@code pass-validity}; an automatic room admits at most
 * {@code auto-max-rate} buyers a second.
 */
public record RoomSettings(Duration tick, Duration heartbeat, Duration abandonAfter, Duration passValidity,
    int autoMaxRate, Duration longestCheckIn) {

  public static final RoomSettings DEFAULT = new RoomSettings(Duration.ofMillis(500), Duration.ofSeconds(5),
      Duration.ofSeconds(60), Duration.ofSeconds(60), 1000, Duration.ofSeconds(30));

  public RoomSettings {
    if (abandonAfter.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("waiting-room.abandon-after must be at least twice the heartbeat");
    }
    if (longestCheckIn.compareTo(heartbeat) < 0) {
      throw new IllegalArgumentException("waiting-room.longest-check-in must be at least the heartbeat");
    }
  }

  public static RoomSettings fromConfig(Config config) {
    Config room = config.getConfig("flashsale.waiting-room");
    return new RoomSettings(room.getDuration("tick"), room.getDuration("heartbeat"), room.getDuration("abandon-after"),
        room.getDuration("pass-validity"), room.getInt("auto-max-rate"), room.getDuration("longest-check-in"));
  }

  /** The heartbeat period an instant falls in, counted from the epoch. */
  public long period(Instant at) {
    return Math.floorDiv(at.toEpochMilli(), heartbeat.toMillis());
  }

  public Instant periodStart(long period) {
    return Instant.ofEpochMilli(period * heartbeat.toMillis());
  }
}
