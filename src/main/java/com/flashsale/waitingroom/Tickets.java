package com.flashsale.waitingroom;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.flashsale.sale.QueueRanks;
import com.flashsale.sale.RoomSettings;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Queue tickets and admission passes: both signed tokens that the buyer holds, so that a place in a queue costs
 * the service no storage and survives any node. A ticket names the buyer, the sale, the rank
 * ({@link QueueRanks}), when the buyer joined, when they last checked in, through which heartbeat period it is
 * counted ({@link RoomBoard}), and once the room admitted them, when; it expires {@code abandon-after} past the
 * next check-in it asks for, which is how a buyer who left loses the place. Each check-in gets a fresh ticket. A pass lets its buyer buy in its sale until {@code admittedAt} plus the pass
 * validity.
 */
public final class Tickets {

  private static final String TICKET_AUDIENCE = "flashsale-queue-ticket";
  private static final String PASS_AUDIENCE = "flashsale-admission-pass";

  /**
   * A verified ticket; {@code seenAt} (its last check-in) null for one being issued, {@code admittedAt} null until
   * the room admitted it, {@code shownPosition} the last position its buyer was shown (null: none yet), which no
   * later answer exceeds, {@code countedThrough} the last heartbeat period it is counted in (null: none yet).
   */
  public record Ticket(String userId, UUID saleId, long rank, Instant joinedAt, Instant seenAt, Instant admittedAt,
      Long shownPosition, Long countedThrough) {

    /** A new place in the queue. */
    public static Ticket joining(String userId, UUID saleId, long rank, Instant now) {
      return new Ticket(userId, saleId, rank, now, null, null, null, null);
    }

    Ticket admitted(Instant now) {
      return new Ticket(userId, saleId, rank, joinedAt, seenAt, now, shownPosition, countedThrough);
    }

    /** This ticket checked in at {@code now}, shown {@code position}, counted through {@code period}. */
    Ticket checkedIn(Instant now, Long position, Long period) {
      return new Ticket(userId, saleId, rank, joinedAt, now, admittedAt, position, period);
    }
  }

  /** A ticket as the buyer gets it back. */
  public record Signed(String token, Instant expiresAt) {}

  /** What reading a ticket found: the ticket, or why not. */
  public sealed interface Read {}

  public record Valid(Ticket ticket) implements Read {}

  public enum Invalid implements Read { MALFORMED, EXPIRED, OTHER_SALE }

  private final Algorithm tickets;
  private final Algorithm passes;
  private final JWTVerifier ticketVerifier;
  private final JWTVerifier passVerifier;
  private final byte[] rankKey;
  private final RoomSettings settings;
  private final Clock clock;

  public Tickets(String jwtSecret, RoomSettings settings, Clock clock) {
    this.tickets = Algorithm.HMAC256(DerivedKeys.derive(jwtSecret, "flashsale waiting-room ticket"));
    this.passes = Algorithm.HMAC256(DerivedKeys.derive(jwtSecret, "flashsale waiting-room pass"));
    this.rankKey = DerivedKeys.derive(jwtSecret, "flashsale waiting-room pre-queue rank");
    this.ticketVerifier = ((JWTVerifier.BaseVerification) JWT.require(tickets).withAudience(TICKET_AUDIENCE))
        .build(clock);
    this.passVerifier = ((JWTVerifier.BaseVerification) JWT.require(passes).withAudience(PASS_AUDIENCE)).build(clock);
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * The rank of a buyer joining the sale at {@code now} (the ticket's join time): drawn from a keyed hash before the
   * start, by arrival after it.
   */
  public long rankOf(String userId, UUID saleId, Instant startsAt, Instant now) {
    long hash = ByteBuffer.wrap(DerivedKeys.hmac(rankKey, saleId + "\n" + userId)).getLong();
    return now.isBefore(startsAt) ? QueueRanks.prequeue(hash) : QueueRanks.arrival(now, hash);
  }

  /** A token's expiry is whole seconds: rounded up, so a token is good until the instant its holder is told. */
  private static Instant wholeSecondAtOrAfter(Instant instant) {
    return instant.getNano() == 0 ? instant : Instant.ofEpochSecond(instant.getEpochSecond() + 1);
  }

  /** A checked-in ticket whose next check-in is due at {@code dueAt}: it expires abandon-after later. */
  public Signed sign(Ticket ticket, Instant dueAt) {
    Instant expiresAt = wholeSecondAtOrAfter(dueAt.plus(settings.abandonAfter()));
    var builder = JWT.create()
        .withAudience(TICKET_AUDIENCE)
        .withSubject(ticket.userId())
        .withClaim("sale", ticket.saleId().toString())
        .withClaim("rank", ticket.rank())
        .withClaim("joined", ticket.joinedAt().toEpochMilli())
        .withClaim("seen", ticket.seenAt().toEpochMilli())
        .withExpiresAt(expiresAt);
    if (ticket.countedThrough() != null) {
      builder.withClaim("counted", ticket.countedThrough());
    }
    if (ticket.admittedAt() != null) {
      builder.withClaim("admitted", ticket.admittedAt().toEpochMilli());
    }
    if (ticket.shownPosition() != null) {
      builder.withClaim("pos", ticket.shownPosition());
    }
    return new Signed(builder.sign(tickets), expiresAt);
  }

  /** A ticket this service signed for the sale, not expired. */
  public Read read(String token, UUID saleId) {
    if (token == null || token.length() > 2_000) {
      return Invalid.MALFORMED;
    }
    DecodedJWT jwt;
    try {
      jwt = ticketVerifier.verify(token);
    } catch (TokenExpiredException expired) {
      return Invalid.EXPIRED;
    } catch (JWTVerificationException invalid) {
      return Invalid.MALFORMED;
    }
    Long rank = jwt.getClaim("rank").asLong();
    Long joined = jwt.getClaim("joined").asLong();
    Long seen = jwt.getClaim("seen").asLong();
    Long admitted = jwt.getClaim("admitted").asLong();
    Long shown = jwt.getClaim("pos").asLong();
    Long counted = jwt.getClaim("counted").asLong();
    String sale = jwt.getClaim("sale").asString();
    if (rank == null || joined == null || seen == null || sale == null || jwt.getSubject() == null) {
      return Invalid.MALFORMED;
    }
    if (!saleId.toString().equals(sale)) {
      return Invalid.OTHER_SALE;
    }
    return new Valid(new Ticket(jwt.getSubject(), saleId, rank, Instant.ofEpochMilli(joined),
        Instant.ofEpochMilli(seen), admitted == null ? null : Instant.ofEpochMilli(admitted), shown, counted));
  }

  /** The admission pass of an admitted ticket: valid for the pass validity from its admission. */
  public Signed pass(Ticket admitted) {
    Instant expiresAt = passExpiry(admitted);
    String token = JWT.create()
        .withAudience(PASS_AUDIENCE)
        .withSubject(admitted.userId())
        .withClaim("sale", admitted.saleId().toString())
        .withExpiresAt(Date.from(expiresAt))
        .sign(passes);
    return new Signed(token, expiresAt);
  }

  /** Whether the ticket was admitted and its pass has run out since. */
  public boolean passRanOut(Ticket ticket) {
    return ticket.admittedAt() != null && !passExpiry(ticket).isAfter(clock.instant());
  }

  private Instant passExpiry(Ticket admitted) {
    return wholeSecondAtOrAfter(admitted.admittedAt().plus(settings.passValidity()));
  }

  /** Whether {@code token} is a pass this service gave {@code userId} for the sale, and still valid. */
  public boolean admits(String token, String userId, UUID saleId) {
    if (token == null || token.length() > 2_000) {
      return false;
    }
    try {
      DecodedJWT pass = passVerifier.verify(token);
      return userId.equals(pass.getSubject()) && saleId.toString().equals(pass.getClaim("sale").asString());
    } catch (JWTVerificationException invalid) {
      return false;
    }
  }
}
