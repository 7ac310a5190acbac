package flashsale.support;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the buyers of a waiting room saw, for {@link RoomAudit}: each buyer's {@link Place} (from the tickets the
 * room gave them: rank, join time, when it admitted them, and when it last told them to wait), every answer of the
 * room's requests by status, and the answers to purchases made without a valid pass. Written concurrently by the
 * virtual users (each writes its own place, one step at a time), read by the audit once they are done.
 */
public final class RoomLog {

  /** The states a waiting buyer may end in: the room's definite answers (docs/api.md, "Where a ticket stands"). */
  public static final Set<String> DEFINITE = Set.of("ADMITTED", "SOLD_OUT", "CLOSED", "PASS_EXPIRED");

  /** One request to a purchase endpoint without a valid pass of the buyer's own, and what it answered. */
  public record Passless(String attempt, int status, String code) {}

  private final ConcurrentLinkedQueue<Place> places = new ConcurrentLinkedQueue<>();
  private final Map<String, Map<Integer, LongAdder>> statuses = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Passless> passless = new ConcurrentLinkedQueue<>();
  private final AtomicReference<String> lastPass = new AtomicReference<>();
  private final AtomicInteger joinsAnswered = new AtomicInteger();

  /** A buyer entering the room (before asking for the challenge). */
  public Place enter(String buyerId) {
    Place place = new Place(buyerId);
    places.add(place);
    return place;
  }

  public List<Place> places() {
    return List.copyOf(places);
  }

  /** A buyer's attempt to join got its final answer (a ticket or a refusal). */
  void joinAnswered() {
    joinsAnswered.incrementAndGet();
  }

  /** Buyers whose attempt to join got its final answer so far. */
  public int joinsAnswered() {
    return joinsAnswered.get();
  }

  /** Every answer of the room's requests ({@code request}: Gatling's request name), retried ones included. */
  public void answered(String request, Answer answer) {
    statuses.computeIfAbsent(request, name -> new ConcurrentHashMap<>())
        .computeIfAbsent(answer.status(), status -> new LongAdder()).increment();
  }

  /** Answers by request name, then by status ({@code -1}: no answer). */
  public Map<String, Map<Integer, Long>> statuses() {
    Map<String, Map<Integer, Long>> out = new TreeMap<>();
    statuses.forEach((request, byStatus) -> {
      Map<Integer, Long> counts = new TreeMap<>();
      byStatus.forEach((status, count) -> counts.put(status, count.sum()));
      out.put(request, counts);
    });
    return out;
  }

  /** A pass the room gave some buyer: the probes without a pass of their own try one. */
  public void passGiven(String pass) {
    lastPass.set(pass);
  }

  /** The latest pass given to any buyer, or null before the first admission. */
  public String someonesPass() {
    return lastPass.get();
  }

  public void passless(String attempt, Answer answer) {
    passless.add(new Passless(attempt, answer.status(), answer.code()));
  }

  public List<Passless> passless() {
    return List.copyOf(passless);
  }

  /**
   * One buyer's way through the room. Times are the service's (epoch millis from the ticket's claims), so that
   * admissions and check-ins compare on one clock. Written by its own virtual user only, step by step (possibly
   * from different threads, hence the locks), read by the audit.
   */
  public static final class Place {
    private final String buyerId;
    private long rank = -1;
    private long joinedMs = -1;
    private long admittedMs = -1;
    private long lastNotAdmittedMs = Long.MIN_VALUE;
    private long predictedAdmissionMs = -1;
    private int checkIns;
    private int lateCheckIns;
    private long lastMarginMs;
    private Long expiredMarginMs;
    private String lastState;
    private String end;
    private Answer purchase;

    private Place(String buyerId) {
      this.buyerId = buyerId;
    }

    /**
     * A room answer (the join's or a check-in's) in state {@code state}, with its ticket's claims:
     * {@code admitted} null while not admitted; {@code etaSeconds} null when the answer gave none. The first
     * ETA of a WAITING answer is the prediction: admission at {@code seen + etaSeconds}.
     */
    synchronized void answered(String state, long rank, long joined, long seen, Long admitted, Long etaSeconds) {
      if (this.rank < 0) {
        this.rank = rank;
        this.joinedMs = joined;
      }
      if (admitted != null) {
        if (admittedMs < 0) {
          admittedMs = admitted;
        }
      } else {
        lastNotAdmittedMs = Math.max(lastNotAdmittedMs, seen);
      }
      if ("WAITING".equals(state) && etaSeconds != null && predictedAdmissionMs < 0) {
        predictedAdmissionMs = seen + etaSeconds * 1000;
      }
      lastState = state;
    }

    /**
     * A check-in about to leave, {@code marginMs} before the {@code ticketExpiresAt} of the ticket it shows (late,
     * by the client's fault, when not positive).
     */
    synchronized void checkIn(long marginMs) {
      checkIns++;
      lastMarginMs = marginMs;
      if (marginMs <= 0) {
        lateCheckIns++;
      }
    }

    /** The last check-in was answered 410 TICKET_EXPIRED. */
    synchronized void ticketExpired() {
      expiredMarginMs = lastMarginMs;
    }

    /** How the buyer's wait ended: a definite state ({@link #DEFINITE}), or what went wrong. The first one counts. */
    synchronized void end(String outcome) {
      if (end == null) {
        end = outcome;
      }
    }

    /** The final answer to the buyer's purchase with their pass. */
    synchronized void purchased(Answer answer) {
      purchase = answer;
    }

    public String buyerId() {
      return buyerId;
    }

    /** The ticket's rank, or -1 if the buyer never joined. */
    public synchronized long rank() {
      return rank;
    }

    public synchronized long joinedMs() {
      return joinedMs;
    }

    /** When the room admitted the buyer (the ticket's {@code admitted}), or -1. */
    public synchronized long admittedMs() {
      return admittedMs;
    }

    /** The last time an answer told the buyer to go on waiting (or that they would not be admitted). */
    public synchronized long lastNotAdmittedMs() {
      return lastNotAdmittedMs;
    }

    /** The first ETA's admission time, or -1. */
    public synchronized long predictedAdmissionMs() {
      return predictedAdmissionMs;
    }

    public synchronized int checkIns() {
      return checkIns;
    }

    public synchronized int lateCheckIns() {
      return lateCheckIns;
    }

    /**
     * How long before its {@code ticketExpiresAt} the check-in answered 410 TICKET_EXPIRED left (negative: after
     * it), or null.
     */
    public synchronized Long expiredMarginMs() {
      return expiredMarginMs;
    }

    public synchronized String lastState() {
      return lastState;
    }

    public synchronized String end() {
      return end;
    }

    /** The final purchase answer, or null when the buyer did not buy. */
    public synchronized Answer purchase() {
      return purchase;
    }

    public synchronized boolean joined() {
      return rank >= 0;
    }

    /** The buyer's purchase got them an order (201, or 200: their hold, after a retry). */
    public synchronized boolean won() {
      return purchase != null && purchase.isOrder();
    }
  }
}
