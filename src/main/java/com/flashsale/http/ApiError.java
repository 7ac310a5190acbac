package com.flashsale.http;

import com.flashsale.ErrorCode;
import java.util.List;

/**
 * A refusal of the HTTP layer itself (invalid fields of a request, a node at its in-flight bound), thrown
 * inside routes and turned into problem+json by {@link ProblemHandlers}. Carries no stack trace: it is a
 * value, not a fault. Domain services refuse with a {@link com.flashsale.Outcome} instead.
 */
public final class ApiError extends RuntimeException {

  /** One invalid field of a request body. */
  public record FieldError(String field, String message) {}

  private final ErrorCode code;
  private final List<FieldError> errors;

  public ApiError(ErrorCode code, String detail) {
    this(code, detail, List.of());
  }

  public ApiError(ErrorCode code, String detail, List<FieldError> errors) {
    super(detail, null, false, false);
    this.code = code;
    this.errors = List.copyOf(errors);
  }

  public ErrorCode code() {
    return code;
  }

  public String detail() {
    return getMessage();
  }

  public List<FieldError> errors() {
    return errors;
  }
}
