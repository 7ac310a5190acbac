package flashsale.support;

import static io.gatling.javaapi.core.CoreDsl.exec;

import io.gatling.javaapi.core.ChainBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a run did that the audit must find again: every sale it created or bought from, and every order the
 * service acknowledged (answered 201, or 200 with an existing hold). Written concurrently by the virtual
 * users, read by the {@link Audit} once they are done. It also counts the users still at work, so the audit
 * can wait for them all even when it follows only one of several populations.
 */
public final class Ledger {

  private final List<String> sales = new CopyOnWriteArrayList<>();
  private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> created = new ConcurrentHashMap<>();
  private final Map<String, List<String>> duplicateCreations = new ConcurrentHashMap<>();
  private final Map<String, Audit.Result> results = new ConcurrentHashMap<>();
  private final AtomicInteger busyUsers = new AtomicInteger();
  private volatile String productId;

  /** The product the run's sales offer (created in {@code before()}). */
  public void productId(String id) {
    productId = id;
  }

  public String productId() {
    return productId;
  }

  /** A sale this run created; the audit checks it. */
  public void touch(String saleId) {
    if (saleId != null && !sales.contains(saleId)) {
      sales.add(saleId);
    }
  }

  public List<String> sales() {
    return List.copyOf(sales);
  }

  /** One of the sales, chosen at random (buyers of the scheduling and soak runs spread over them). */
  public String randomSale() {
    List<String> now = sales;
    if (now.isEmpty()) {
      throw new IllegalStateException("The run has no sale to buy from (-Dsales must be at least 1)");
    }
    return now.get(ThreadLocalRandom.current().nextInt(now.size()));
  }

  /** Records an order the service acknowledged; a second 201 for the same order id is itself a violation. */
  public void acknowledged(String saleId, Answer answer) {
    touch(saleId);
    acknowledged.computeIfAbsent(saleId, id -> ConcurrentHashMap.newKeySet()).add(answer.id());
    if (answer.status() == 201 && !created.computeIfAbsent(saleId, id -> ConcurrentHashMap.newKeySet()).add(answer.id())) {
      duplicateCreations.computeIfAbsent(saleId, id -> new CopyOnWriteArrayList<>()).add(answer.id());
    }
  }

  public Set<String> acknowledgedOrders(String saleId) {
    return Set.copyOf(acknowledged.getOrDefault(saleId, Set.of()));
  }

  public long createdCount() {
    return created.values().stream().mapToLong(Set::size).sum();
  }

  /** Order ids answered 201 more than once in this sale. */
  public List<String> duplicateCreations(String saleId) {
    return List.copyOf(duplicateCreations.getOrDefault(saleId, List.of()));
  }

  public void auditResult(Audit.Result result) {
    results.put(result.saleId(), result);
  }

  public Map<String, Audit.Result> auditResults() {
    return Map.copyOf(results);
  }

  /** First step of every working scenario: the audit waits until all who entered have left. */
  public ChainBuilder enter() {
    return exec(session -> {
      busyUsers.incrementAndGet();
      return session;
    });
  }

  /** Last step of every working scenario. */
  public ChainBuilder leave() {
    return exec(session -> {
      busyUsers.decrementAndGet();
      return session;
    });
  }

  public int busyUsers() {
    return busyUsers.get();
  }
}
