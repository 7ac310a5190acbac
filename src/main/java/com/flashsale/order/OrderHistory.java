package com.flashsale.order;

import com.flashsale.Page;
import com.flashsale.sale.OrderId;
import com.flashsale.sale.OrderStatus;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Orders as the read model has them (behind the sale entities by well under a second), for the order
 * lists. Pages are keyset-paginated: the cursor is the last order id of a page, so pages stay stable
 * while new orders arrive. The node wires in {@code readmodel.OrderQueries}.
 */
public interface OrderHistory {

  /**
   * A buyer's orders over all sales, newest first; {@code after} is null for the first page. Empty when
   * {@code after} is not one of the buyer's own orders.
   */
  CompletionStage<Optional<Page<OrderJson>>> ordersOfBuyer(String userId, int limit, String after);

  /**
   * One order as the read model has it, or empty. A sale entity keeps only the orders it may still change;
   * a released one (cancelled or expired) is read from here.
   */
  CompletionStage<Optional<OrderJson>> order(OrderId id);

  /** One sale's orders in order-number order, optionally of one status (null: all). */
  CompletionStage<Page<OrderJson>> ordersOfSale(UUID saleId, OrderStatus status, int limit, OrderId after);
}
