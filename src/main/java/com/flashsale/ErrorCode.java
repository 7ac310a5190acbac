package com.flashsale;

/**
 * The stable error codes of the API contract, each with its HTTP status and a title. Domain code
 * answers with a code; the HTTP layer turns it into problem+json in one place ({@code http.Problem}).
 */
public enum ErrorCode {
  VALIDATION(400, "Invalid request"),
  UNAUTHORIZED(401, "Authentication required"),
  FORBIDDEN(403, "Forbidden"),
  NOT_ADMITTED(403, "Not admitted from the waiting room"),
  NOT_FOUND(404, "Not found"),
  EMAIL_TAKEN(409, "Email already registered"),
  BAD_CREDENTIALS(401, "Wrong email or password"),
  SOLD_OUT(409, "Sold out"),
  LIMIT_REACHED(409, "Purchase limit reached"),
  NOT_STARTED(409, "Sale not started"),
  SALE_ENDED(410, "Sale ended"),
  SALE_CANCELLED(410, "Sale cancelled"),
  RESERVATION_EXPIRED(410, "Reservation expired"),
  TICKET_EXPIRED(410, "Waiting-room ticket expired"),
  PAYMENT_DECLINED(402, "Payment declined"),
  ALREADY_CONFIRMED(409, "Order already paid"),
  INVALID_TRANSITION(409, "Change not allowed"),
  TOO_MANY_ATTEMPTS(409, "Too many attempts"),
  IDEMPOTENCY_MISMATCH(422, "Idempotency-Key reused with a different request"),
  RATE_LIMITED(429, "Too many requests"),
  OVERLOADED(503, "Service overloaded");

  public final int status;
  public final String title;

  ErrorCode(int status, String title) {
    this.status = status;
    this.title = title;
  }
}
