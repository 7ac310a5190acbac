package com.flashsale.sale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The rule of {@link KnownSales}, against a journal the test answers by hand and a ticker it moves: which ids
 * are looked up, how often, and what is remembered for how long. {@code UnknownSaleClusterTest} shows it end to
 * end: no entity starts for an unknown id, and a new sale is reachable at once on every node.
 */
class KnownSalesTest {

  private static final Duration UNKNOWN_TTL = Duration.ofSeconds(10);

  /** The journal: the sales it holds; every lookup is recorded and answered when the test says. */
  private final Set<UUID> inJournal = ConcurrentHashMap.newKeySet();
  private final List<UUID> lookedUp = new ArrayList<>();
  private final List<CompletableFuture<Boolean>> pending = new ArrayList<>();
  private boolean answerAtOnce = true;
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;

  private final KnownSales known = new KnownSales(this::lookUp, new KnownSales.Settings(1_000, 3, UNKNOWN_TTL), ticker);

  private synchronized CompletionStage<Boolean> lookUp(UUID saleId) {
    lookedUp.add(saleId);
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    if (answerAtOnce) {
      answer.complete(inJournal.contains(saleId));
    } else {
      pending.add(answer);
    }
    return answer;
  }

  private boolean exists(UUID saleId) {
    return known.exists(saleId).toCompletableFuture().join();
  }

  private void pass(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  @Test
  void aSaleInTheJournalIsLookedUpOnceAndThenKnown() {
    UUID sale = UUID.randomUUID();
    inJournal.add(sale);

    assertThat(known.isKnown(sale)).isFalse();
    assertThat(exists(sale)).isTrue();
    assertThat(exists(sale)).isTrue();
    pass(Duration.ofDays(1));

    assertThat(known.isKnown(sale)).isTrue();
    assertThat(exists(sale)).isTrue();
    assertThat(lookedUp).containsExactly(sale);
  }

  @Test
  void anIdTheJournalDoesNotHoldIsAnsweredFromMemoryForTheTtlThenLookedUpAgain() {
    UUID nobody = UUID.randomUUID();

    assertThat(exists(nobody)).isFalse();
    pass(UNKNOWN_TTL.minusMillis(1));
    assertThat(exists(nobody)).isFalse();
    assertThat(lookedUp).as("asked again within the ttl: from memory").containsExactly(nobody);
    assertThat(known.isKnown(nobody)).isFalse();

    pass(Duration.ofMillis(1));
    assertThat(exists(nobody)).isFalse();
    assertThat(lookedUp).containsExactly(nobody, nobody);
  }

  @Test
  void requestsForOneIdWhileItIsLookedUpShareTheOneLookup() {
    answerAtOnce = false;
    UUID sale = UUID.randomUUID();
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      answers.add(known.exists(sale).toCompletableFuture());
    }
    assertThat(lookedUp).containsExactly(sale);
    assertThat(answers).noneMatch(CompletableFuture::isDone);

    pending.get(0).complete(true);

    assertThat(answers).allMatch(answer -> answer.join());
    assertThat(known.isKnown(sale)).isTrue();
  }

  @Test
  void aFailedLookupIsNotRememberedAndTheNextRequestLooksAgain() {
    answerAtOnce = false;
    UUID sale = UUID.randomUUID();
    CompletableFuture<Boolean> first = known.exists(sale).toCompletableFuture();
    pending.get(0).completeExceptionally(new SQLException("connection refused", "08001"));
    assertThatThrownBy(first::join).isInstanceOf(CompletionException.class).hasCauseInstanceOf(SQLException.class);

    answerAtOnce = true;
    inJournal.add(sale);
    assertThat(exists(sale)).isTrue();
    assertThat(lookedUp).containsExactly(sale, sale);
  }

  @Test
  void aSaleCreatedHereOrAnnouncedIsKnownWithoutALookupThoughItWasUnknown() {
    UUID createdHere = UUID.randomUUID();
    UUID createdElsewhere = UUID.randomUUID();
    assertThat(exists(createdHere)).isFalse();
    assertThat(exists(createdElsewhere)).isFalse();

    known.created(createdHere);
    known.markKnown(createdElsewhere);

    assertThat(exists(createdHere)).isTrue();
    assertThat(exists(createdElsewhere)).isTrue();
    assertThat(lookedUp).containsExactly(createdHere, createdElsewhere);
  }

  @Test
  void anAnnouncementWinsOverALookupThatRacedIt() {
    answerAtOnce = false;
    UUID sale = UUID.randomUUID();
    CompletableFuture<Boolean> asked = known.exists(sale).toCompletableFuture();

    known.markKnown(sale); // announced while the journal was being asked, which had not seen the creation yet
    pending.get(0).complete(false);

    assertThat(asked.join()).isTrue();
    assertThat(exists(sale)).isTrue();
    assertThat(lookedUp).containsExactly(sale);
  }

  @Test
  void unknownIdsAreBoundedInNumber() {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      assertThat(exists(id)).isFalse();
    }
    int before = lookedUp.size();
    ids.forEach(this::exists);
    assertThat(lookedUp.size() - before).as("ids looked up again: at most 3 of 100 are remembered")
        .isGreaterThanOrEqualTo(97);
  }

  @Test
  void settingsRefuseNonsense() {
    assertThatThrownBy(() -> new KnownSales.Settings(0, 10, UNKNOWN_TTL)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KnownSales.Settings(10, 0, UNKNOWN_TTL)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new KnownSales.Settings(10, 10, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
