package com.flashsale.sale;

import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleCommand.OrderBatch;
import com.flashsale.sale.SaleCommand.WithReply;
import com.flashsale.sale.SaleReply.Rejected;

/**
 * The door of one {@link Sale} entity, in the entity's own actor: every command passes it before Akka's
 * event-sourced behavior sees it. Akka keeps commands that arrive while the entity writes or recovers in
 * a stash of bounded capacity and drops what does not fit, unanswered, so its caller would learn of it only
 * from an ask timeout (and a dropped batch would hold its node's lane that long). The door therefore
 * answers at once, 503 OVERLOADED, any request the entity cannot take: while the entity recovers from a
 * failed journal write or recovery (the database is failing, and queued requests would only wait for
 * their timeouts), and when as many commands wait inside as the stash should ever hold. Commands that
 * expect no answer (timer ticks, wake-ups) are let in until the stash itself is full, and dropped beyond
 * that: each of them is sent again.
 *
 * <p>It counts the commands inside: one more for each it lets in, one less for each the entity's command
 * handler takes ({@link #taken}). The entity tells it when it fails and when it has recovered.
 */
final class SaleInbox extends BehaviorInterceptor<SaleCommand, SaleCommand> {

  static final String RECOVERING = "The sale is recovering from a database failure; retry shortly";
  static final String FULL = "The sale has too many requests waiting; retry shortly";

  private final int maxWaitingRequests;
  private final int stashCapacity;
  private int inside;
  private boolean recovering;

  /**
   * @param stashCapacity Akka's stash capacity for the entity ({@code akka.persistence.typed.stash-capacity})
   * @param maxWaitingRequests requests let in at most while the entity is busy; below {@code stashCapacity},
   *     so that its timer ticks and wake-ups always find room
   */
  SaleInbox(int maxWaitingRequests, int stashCapacity) {
    super(SaleCommand.class);
    if (maxWaitingRequests >= stashCapacity) {
      throw new IllegalArgumentException("maxWaitingRequests must be below the stash capacity " + stashCapacity);
    }
    this.maxWaitingRequests = maxWaitingRequests;
    this.stashCapacity = stashCapacity;
  }

  @Override
  public Behavior<SaleCommand> aroundReceive(TypedActorContext<SaleCommand> context, SaleCommand command,
      ReceiveTarget<SaleCommand> target) {
    if (command instanceof WithReply request && (recovering || inside >= maxWaitingRequests)) {
      refuse(request, new Rejected(ErrorCode.OVERLOADED, recovering ? RECOVERING : FULL));
      return Behaviors.same();
    }
    if (inside >= stashCapacity) {
      context.asJava().getLog().warn("Sale inbox full: dropped {} (it is sent again)", command.getClass().getSimpleName());
      return Behaviors.same();
    }
    inside++;
    return target.apply(context, command);
  }

  /** The entity's command handler took a command. */
  void taken() {
    inside--;
  }

  /** The entity failed (a journal write or its recovery) and restarts: refuse requests until it has recovered. */
  void failed() {
    recovering = true;
  }

  void recovered() {
    recovering = false;
  }

  /** Answers a request (for a batch: each of its commands, and the batch itself) with {@code why}. */
  static void refuse(WithReply request, Rejected why) {
    if (request instanceof OrderBatch batch) {
      batch.commands().forEach(command -> command.replyTo().tell(why));
      batch.replyTo().tell(new SaleReply.BatchWritten(0));
    } else {
      request.replyTo().tell(why);
    }
  }
}
