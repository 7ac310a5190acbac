package com.flashsale.http;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AuthorizationFailedRejection;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MalformedQueryParamRejection;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.MissingQueryParamRejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.scaladsl.model.IllegalRequestException;
import akka.pattern.AskTimeoutException;
import com.flashsale.ErrorCode;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every rejection and exception into problem+json, so no request ever gets an HTML page, a
 * stack trace, a class name or SQL. Unknown routes, and known paths with a method they do not
 * serve, are 404 NOT_FOUND.
 */
public final class ProblemHandlers {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandlers.class);

  private ProblemHandlers() {}

  public static RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handle(MalformedQueryParamRejection.class, r -> akka.http.javadsl.server.Directives.complete(
            Problem.response(ErrorCode.VALIDATION, "Invalid query parameter '" + r.parameterName() + "'")))
        .handle(MissingQueryParamRejection.class, r -> akka.http.javadsl.server.Directives.complete(
            Problem.response(ErrorCode.VALIDATION, "Missing query parameter '" + r.parameterName() + "'")))
        .handle(UnsupportedRequestContentTypeRejection.class, r -> akka.http.javadsl.server.Directives.complete(
            Problem.response(ErrorCode.VALIDATION, 415, "Request bodies must be application/json", List.of())))
        .handle(AuthorizationFailedRejection.class, r -> akka.http.javadsl.server.Directives.complete(
            Problem.response(ErrorCode.FORBIDDEN, "Not allowed")))
        .handleAll(MethodRejection.class, r -> akka.http.javadsl.server.Directives.complete(
            Problem.response(ErrorCode.NOT_FOUND, "No such route")))
        .handleNotFound(akka.http.javadsl.server.Directives.complete(
            Problem.response(ErrorCode.NOT_FOUND, "No such route")))
        .handleAll(akka.http.javadsl.server.Rejection.class, r -> akka.http.javadsl.server.Directives.complete(
            Problem.response(ErrorCode.VALIDATION, "The request could not be handled")))
        .build();
  }

  public static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> akka.http.javadsl.server.Directives.complete(problem(e)))
        .build();
  }

  /** The answer to a failed request; the one place an unexpected failure is logged. */
  public static HttpResponse problem(Throwable failure) {
    return Problem.response(describe(failure, true));
  }

  /** What a failure means for its client, without logging it (for meters; {@link #problem} answers it). */
  public static ApiError toApiError(Throwable failure) {
    return describe(failure, false);
  }

  private static ApiError describe(Throwable failure, boolean logUnexpected) {
    Throwable e = failure;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ApiError apiError) {
      return apiError;
    }
    if (e instanceof EntityStreamSizeException) {
      return new ApiError(ErrorCode.VALIDATION, "The body is too large");
    }
    if (e instanceof IllegalRequestException) {
      return new ApiError(ErrorCode.VALIDATION, "The request is malformed");
    }
    if (e instanceof AskTimeoutException || e instanceof TimeoutException) {
      return new ApiError(ErrorCode.OVERLOADED, "The service did not answer in time; retry shortly");
    }
    if (e instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
      return new ApiError(ErrorCode.VALIDATION, "A value is not acceptable"); // SQL class 22: data exception
    }
    if (e instanceof SQLException) {
      if (logUnexpected) {
        log.warn("Database call failed: {}", e.toString());
      }
      return new ApiError(ErrorCode.OVERLOADED, "The database is unavailable; retry shortly");
    }
    if (logUnexpected) {
      log.error("Unexpected failure while handling a request", e);
    }
    return new ApiError(ErrorCode.OVERLOADED, "The request could not be completed; retry shortly");
  }
}
