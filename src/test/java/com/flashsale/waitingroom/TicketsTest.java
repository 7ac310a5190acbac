package com.flashsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import com.flashsale.account.Role;
import com.flashsale.account.TokenService;
import com.flashsale.sale.QueueRanks;
import com.flashsale.sale.RoomSettings;
import com.flashsale.testing.TestClock;
import com.flashsale.waitingroom.Tickets.Invalid;
import com.flashsale.waitingroom.Tickets.Ticket;
import com.flashsale.waitingroom.Tickets.Valid;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Queue tickets and admission passes: what they carry, who they are for, and when they stop counting. */
class TicketsTest {

  private static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";
  private static final UUID SALE = UUID.randomUUID();
  private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");
  private static final RoomSettings SETTINGS = new RoomSettings(Duration.ofMillis(500), Duration.ofSeconds(5),
      Duration.ofSeconds(20), Duration.ofSeconds(60), 1_000, Duration.ofSeconds(30));
  /** The usual check-in interval. */
  private static final Duration AFTER = Duration.ofSeconds(4);

  private final TestClock clock = new TestClock(START.minusSeconds(600));
  private final Tickets tickets = new Tickets(SECRET, SETTINGS, clock);

  /** A buyer's ticket, checked in now (the moment it is joined). */
  private Ticket ticket(String userId) {
    return Ticket.joining(userId, SALE, tickets.rankOf(userId, SALE, START, clock.instant()), clock.instant())
        .checkedIn(clock.instant(), null, null);
  }

  private Tickets.Signed sign(Ticket ticket) {
    return tickets.sign(ticket, clock.instant().plus(AFTER));
  }

  @Test
  void aTicketCarriesItsPlaceAndComesBackFromItsToken() {
    Ticket joined = ticket("alice");
    Tickets.Signed signed = sign(joined);

    Tickets.Read read = tickets.read(signed.token(), SALE);

    assertThat(read).isEqualTo(new Valid(new Ticket("alice", SALE, joined.rank(), joined.joinedAt(), clock.instant(),
        null, null, null)));
    Ticket shown = new Ticket("alice", SALE, joined.rank(), joined.joinedAt(), clock.instant(), null, 42L, 7L);
    assertThat(tickets.read(sign(shown).token(), SALE)).isEqualTo(new Valid(shown));
    assertThat(signed.expiresAt()).isEqualTo(clock.instant().plus(AFTER).plus(SETTINGS.abandonAfter()));
  }

  @Test
  void aTicketNotCheckedInForTheAbandonTimeAfterItWasDueHasLostItsPlace() {
    Tickets.Signed signed = sign(ticket("alice"));

    clock.advance(AFTER.plus(SETTINGS.abandonAfter()).minusSeconds(1));
    Ticket stillThere = ((Valid) tickets.read(signed.token(), SALE)).ticket().checkedIn(clock.instant(), null, null);
    Tickets.Signed checkedIn = sign(stillThere);
    clock.advance(Duration.ofSeconds(2));

    assertThat(tickets.read(signed.token(), SALE)).isEqualTo(Invalid.EXPIRED);
    assertThat(tickets.read(checkedIn.token(), SALE)).isInstanceOf(Valid.class);
  }

  @Test
  void aTicketAskedToCheckInLaterKeepsItsPlaceThatMuchLonger() {
    Instant due = clock.instant().plusSeconds(30);
    Tickets.Signed farBack = tickets.sign(ticket("alice"), due);

    clock.set(due.plus(SETTINGS.abandonAfter()).minusMillis(1));
    assertThat(tickets.read(farBack.token(), SALE)).isInstanceOf(Valid.class);
    clock.set(due.plus(SETTINGS.abandonAfter()));
    assertThat(tickets.read(farBack.token(), SALE)).isEqualTo(Invalid.EXPIRED);
  }

  @Test
  void aTicketIsGoodUntilTheInstantItsBuyerIsToldAndNotBefore() {
    clock.advance(Duration.ofMillis(300)); // a token's expiry is whole seconds
    Tickets.Signed signed = sign(ticket("alice"));

    clock.set(signed.expiresAt().minusMillis(1));
    assertThat(tickets.read(signed.token(), SALE)).isInstanceOf(Valid.class);
    assertThat(signed.expiresAt())
        .isAfterOrEqualTo(START.minusSeconds(600).plusMillis(300).plus(AFTER).plus(SETTINGS.abandonAfter()));
    clock.set(signed.expiresAt());
    assertThat(tickets.read(signed.token(), SALE)).isEqualTo(Invalid.EXPIRED);
  }

  @Test
  void aTicketIsForItsSaleOnlyAndCannotBeForged() {
    String token = sign(ticket("alice")).token();
    String[] parts = token.split("\\.");
    String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
    String signInToken = new TokenService(SECRET, Duration.ofHours(1), clock).issue("alice", Role.CUSTOMER);
    Tickets otherSecret = new Tickets(SECRET + "-other", SETTINGS, clock);

    assertThat(tickets.read(token, UUID.randomUUID())).isEqualTo(Invalid.OTHER_SALE);
    assertThat(tickets.read(tampered, SALE)).isEqualTo(Invalid.MALFORMED);
    assertThat(tickets.read(signInToken, SALE)).isEqualTo(Invalid.MALFORMED);
    assertThat(otherSecret.read(token, SALE)).isEqualTo(Invalid.MALFORMED);
    assertThat(tickets.read("x".repeat(3_000), SALE)).isEqualTo(Invalid.MALFORMED);
    assertThat(tickets.admits(token, "alice", SALE)).as("a ticket is not a pass").isFalse();
  }

  @Test
  void beforeTheStartABuyersRankIsTheSameAtEveryJoinAndRanksAreShuffled() {
    long first = tickets.rankOf("alice", SALE, START, clock.instant());
    clock.advance(Duration.ofMinutes(5));

    assertThat(tickets.rankOf("alice", SALE, START, clock.instant())).isEqualTo(first);
    assertThat(tickets.rankOf("alice", UUID.randomUUID(), START, clock.instant())).isNotEqualTo(first);
    assertThat(QueueRanks.isPrequeue(first)).isTrue();
    // Early joiners are not ahead of later ones: the order of 1,000 buyers is not their joining order.
    Set<Long> ranks = new HashSet<>();
    int inversions = 0;
    long previous = -1;
    for (int i = 0; i < 1_000; i++) {
      clock.advance(Duration.ofMillis(100));
      long rank = tickets.rankOf("buyer-" + i, SALE, START, clock.instant());
      ranks.add(rank);
      inversions += rank < previous ? 1 : 0;
      previous = rank;
    }
    assertThat(ranks).hasSize(1_000);
    assertThat(inversions).isBetween(400, 600);
  }

  @Test
  void afterTheStartBuyersRankInArrivalOrderBehindThePrequeue() {
    long prequeue = tickets.rankOf("alice", SALE, START, clock.instant());
    clock.set(START.plusSeconds(1));
    long early = tickets.rankOf("bob", SALE, START, clock.instant());
    clock.advance(Duration.ofMillis(1));
    long later = tickets.rankOf("carol", SALE, START, clock.instant());

    assertThat(prequeue).isLessThan(early);
    assertThat(early).isLessThan(later);
  }

  @Test
  void aPassAdmitsItsBuyerToItsSaleUntilItsValidityFromAdmission() {
    clock.set(START);
    Ticket admitted = new Ticket("alice", SALE, 1, START.minusSeconds(60), START, START, 3L, null);
    String pass = tickets.pass(admitted).token();

    assertThat(tickets.admits(pass, "alice", SALE)).isTrue();
    assertThat(tickets.admits(pass, "bob", SALE)).isFalse();
    assertThat(tickets.admits(pass, "alice", UUID.randomUUID())).isFalse();
    assertThat(tickets.admits(sign(admitted).token(), "alice", SALE)).isFalse();
    assertThat(tickets.admits("not-a-pass", "alice", SALE)).isFalse();
    assertThat(tickets.passRanOut(admitted)).isFalse();

    clock.advance(SETTINGS.passValidity());
    assertThat(tickets.admits(pass, "alice", SALE)).isFalse();
    assertThat(tickets.passRanOut(admitted)).isTrue();
    assertThat(tickets.pass(admitted).expiresAt()).as("a pass asked for later runs from the admission")
        .isEqualTo(START.plus(SETTINGS.passValidity()));
  }
}
