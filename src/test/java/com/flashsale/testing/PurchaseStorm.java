package com.flashsale.testing;

import com.flashsale.account.Role;
import com.flashsale.account.TokenService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Buyers buying one unit each through nginx, as well-behaved clients do: a 503 or 429 is retried after
 * its Retry-After with the same Idempotency-Key (so a purchase whose answer was lost gets its order back,
 * never a second one), and so is an I/O error. Every fifth order is paid (with {@code tok_visa}), or as
 * {@link Payments} says. Paced until {@link #unleash()}, then as fast as the workers go, until the sale answers
 * SOLD_OUT (or {@link #stop()}). Every buyer started is seen through to a final answer. Shared by ChaosIT and
 * the fault tests (DatabaseFaultIT, NodeCrashIT).
 */
public final class PurchaseStorm {

  /** One HTTP answer (or I/O error, status 0) to a purchase or a payment, and when it was asked and answered. */
  public record Answer(String what, long startNanos, long endNanos, int status) {}

  /**
   * Which orders the buyers pay: buyer {@code n} pays its order when {@code n % every == 0}, with the card token
   * {@code cardToken} (the simulated gateway reads it, e.g. {@code tok_slow-1500} charges at once and answers after
   * 1.5 s).
   */
  public record Payments(int every, String cardToken) {
    public static final Payments EVERY_FIFTH = new Payments(5, "tok_visa");
  }

  private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(90);

  private final ApiClient api;
  private final String saleId;
  private final TokenService tokens;
  private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final LongAdder retries = new LongAdder();
  /** The orders buyers were told about (purchase answered 201 or 200): order id to buyer id. */
  public final Map<String, String> orders = new ConcurrentHashMap<>();
  /** The orders whose payment answered 200 CONFIRMED. */
  public final Set<String> paid = ConcurrentHashMap.newKeySet();
  /** The paymentRef each payment answered 200 CONFIRMED carried. */
  public final Map<String, String> paymentRefs = new ConcurrentHashMap<>();
  /**
   * The orders whose payment was sent more than once (after a 503, a 429 or an I/O error), each with the answers
   * before its final one (e.g. {@code [503 OVERLOADED, 503 OVERLOADED]}).
   */
  public final Map<String, List<String>> paymentsRetried = new ConcurrentHashMap<>();
  public final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
  public final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  /** Requests that got no HTTP answer at all (the connection to nginx failed), retried like a 503. */
  public final ConcurrentLinkedQueue<String> ioErrors = new ConcurrentLinkedQueue<>();
  private final AtomicInteger buyers = new AtomicInteger();
  private final AtomicInteger paymentsInFlight = new AtomicInteger();
  private final AtomicLong nextSlot = new AtomicLong(System.nanoTime());
  private final long intervalNanos;
  private final String keyPrefix;
  private final Payments payments;
  private volatile boolean paced = true;
  private volatile boolean stopped;
  private volatile boolean soldOut;
  private volatile long soldOutAt;
  private final CountDownLatch done;

  /**
   * Starts {@code workers} buyer threads at once, together starting {@code pacedPerSecond} buyers a second until
   * {@link #unleash()}. Purchase {@code n} carries the Idempotency-Key {@code keyPrefix + n}; the threads are named
   * {@code keyPrefix + "buyer-" + i}.
   */
  public PurchaseStorm(ApiClient api, String saleId, TokenService tokens, double pacedPerSecond, int workers,
      String keyPrefix) {
    this(api, saleId, tokens, pacedPerSecond, workers, keyPrefix, Payments.EVERY_FIFTH);
  }

  /** As above, the buyers paying as {@code payments} says. */
  public PurchaseStorm(ApiClient api, String saleId, TokenService tokens, double pacedPerSecond, int workers,
      String keyPrefix, Payments payments) {
    this.api = api;
    this.keyPrefix = keyPrefix;
    this.payments = payments;
    this.saleId = saleId;
    this.tokens = tokens;
    this.intervalNanos = (long) (1e9 / pacedPerSecond);
    this.done = new CountDownLatch(workers);
    for (int i = 0; i < workers; i++) {
      Thread worker = new Thread(this::work, keyPrefix + "buyer-" + i);
      worker.setDaemon(true);
      worker.start();
    }
  }

  /** From now on buyers come as fast as the workers can send them. */
  public void unleash() {
    paced = false;
  }

  /** No new buyer from now on; the buyers under way still go on until answered (see {@link #awaitDone}). */
  public void stop() {
    stopped = true;
  }

  public boolean soldOut() {
    return soldOut;
  }

  public long soldOutAtNanos() {
    return soldOutAt;
  }

  /** True once every worker has ended (sold out or stopped), each buyer under way answered or given up on. */
  public boolean awaitDone(long timeout, TimeUnit unit) throws InterruptedException {
    return done.await(timeout, unit);
  }

  /** How often each outcome was answered ({@code "purchase 503 OVERLOADED"}, {@code "pay I/O error"}, ...). */
  public Map<String, Long> outcomes() {
    Map<String, Long> counts = new TreeMap<>();
    outcomes.forEach((outcome, count) -> counts.put(outcome, count.sum()));
    return counts;
  }

  public long retries() {
    return retries.sum();
  }

  public int buyers() {
    return buyers.get();
  }

  /** Payments asked and not yet finally answered (e.g. to crash a node while some are under way). */
  public int paymentsInFlight() {
    return paymentsInFlight.get();
  }

  private void work() {
    try {
      while (!soldOut && !stopped) {
        int n = buyers.incrementAndGet();
        pace();
        buy(n);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      unexpected.add("worker failed: " + e);
    } finally {
      done.countDown();
    }
  }

  private void pace() throws InterruptedException {
    if (!paced) {
      return;
    }
    long slot = nextSlot.accumulateAndGet(intervalNanos, (last, interval) -> Math.max(System.nanoTime(), last + interval));
    long wait = slot - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  private void buy(int n) throws InterruptedException {
    String buyer = UUID.randomUUID().toString();
    String token = tokens.issue(buyer, Role.CUSTOMER);
    Map<String, String> key = Map.of("Idempotency-Key", keyPrefix + n);
    ApiClient.Response purchase = untilAnswered("purchase",
        () -> api.sendAsync("POST", "/api/sales/" + saleId + "/purchase", token, null, null, key).join(),
        new ArrayList<>());
    if (purchase == null) {
      return;
    }
    if (purchase.status() == 201 || purchase.status() == 200) {
      String orderId = purchase.json().get("id").asText();
      if (orders.putIfAbsent(orderId, buyer) != null) {
        unexpected.add("order " + orderId + " answered to two buyers");
      }
      if (n % payments.every() == 0) {
        pay(orderId, token);
      }
    } else if (purchase.status() == 409 && "SOLD_OUT".equals(purchase.code())) {
      if (!soldOut) {
        soldOutAt = System.nanoTime();
        soldOut = true;
      }
    } else {
      unexpected.add("purchase answered " + purchase);
    }
  }

  private void pay(String orderId, String token) throws InterruptedException {
    ApiClient.Response payment;
    List<String> before = new ArrayList<>();
    paymentsInFlight.incrementAndGet();
    try {
      payment = untilAnswered("pay", () -> api.json("POST", "/api/orders/" + orderId + "/pay", token,
          Map.of("paymentToken", payments.cardToken())), before);
    } finally {
      paymentsInFlight.decrementAndGet();
    }
    if (!before.isEmpty()) {
      paymentsRetried.put(orderId, List.copyOf(before));
    }
    if (payment != null && payment.status() == 200 && "CONFIRMED".equals(payment.json().get("status").asText())) {
      paymentRefs.put(orderId, payment.json().path("paymentRef").asText(""));
      paid.add(orderId);
    } else if (payment != null) {
      unexpected.add("pay answered " + payment);
    }
  }

  /**
   * Sends until the answer is neither 503, 429 nor an I/O error; null (and an unexpected entry) if that takes too
   * long. Each answer retried is added to {@code history}.
   */
  private ApiClient.Response untilAnswered(String what, Supplier<ApiClient.Response> send, List<String> history)
      throws InterruptedException {
    long giveUpAt = System.nanoTime() + GIVE_UP_NANOS;
    while (System.nanoTime() < giveUpAt) {
      long start = System.nanoTime();
      ApiClient.Response response;
      try {
        response = send.get();
      } catch (RuntimeException e) {
        answers.add(new Answer(what, start, System.nanoTime(), 0));
        count(what + " I/O error");
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        ioErrors.add(what + ": " + cause);
        history.add(cause.toString());
        retries.increment();
        TimeUnit.MILLISECONDS.sleep(200);
        continue;
      }
      answers.add(new Answer(what, start, System.nanoTime(), response.status()));
      if (response.status() >= 400 && !"application/problem+json".equals(response.contentType())) {
        unexpected.add(what + " answered " + response.status() + " without problem+json: " + response.body());
        return null;
      }
      String code = response.status() >= 400 ? " " + response.code() : "";
      count(what + " " + response.status() + code);
      if (response.status() != 503 && response.status() != 429) {
        return response;
      }
      retries.increment();
      history.add(response.status() + code);
      String retryAfter = response.header("Retry-After");
      TimeUnit.MILLISECONDS.sleep(retryAfter == null ? 500 : Math.min(2_000, Long.parseLong(retryAfter) * 1_000));
    }
    unexpected.add(what + " got no answer in 90 s: " + history);
    return null;
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
  }
}
