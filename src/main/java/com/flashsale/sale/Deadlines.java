package com.flashsale.sale;

import com.flashsale.ErrorCode;
import com.flashsale.sale.SaleCommand.Deadlined;
import com.flashsale.sale.SaleReply.Rejected;
import java.time.Duration;
import java.time.Instant;

/**
 * docs/architecture.md rule 7: a request that changes a sale is decided only while its caller still waits for the
 * answer. Deadlines are wall-clock instants (a caller's patience is real time, whatever clock a sale's
 * business runs on); nodes' clocks are assumed synchronised to well under the ask timeout.
 */
final class Deadlines {

  static final Rejected TOO_LATE = new Rejected(ErrorCode.OVERLOADED, "The request waited too long; retry shortly");

  private Deadlines() {}

  /** The deadline of a request sent now to a caller who waits {@code patience}. */
  static Instant after(Duration patience) {
    return Instant.now().plus(patience);
  }

  static boolean passed(Deadlined request) {
    return request.deadline() != null && Instant.now().isAfter(request.deadline());
  }
}
