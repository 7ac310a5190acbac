package com.flashsale.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.flashsale.ErrorCode;
import com.flashsale.Outcome;
import java.util.List;

/**
 * The one place where errors become HTTP: {@code application/problem+json} with the contract's
 * stable {@code code}, the code's status, and {@code Retry-After} where the client should come back.
 */
public final class Problem {

  public static final ContentType.NonBinary PROBLEM_JSON =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  /** Seconds a client should wait after a 429 or 503 unless a caller says otherwise. */
  public static final int DEFAULT_RETRY_AFTER_SECONDS = 1;

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Body(String type, String title, int status, String code, String detail, List<ApiError.FieldError> errors) {}

  /** Answers that never change, serialised once each: a sold-out sale's rejections are most of a flash crowd's. */
  private static final Cache<Constant, HttpResponse> CONSTANT = Caffeine.newBuilder().maximumSize(10_000).build();

  private record Constant(ErrorCode code, String detail) {}

  private Problem() {}

  /**
   * The same as {@link #response(ErrorCode, String)}, remembered: for answers a node gives over and over with the
   * same detail (at most 10,000 different ones are kept), never for a detail that quotes the request.
   */
  public static HttpResponse constant(ErrorCode code, String detail) {
    return CONSTANT.get(new Constant(code, detail), key -> response(key.code(), key.detail()));
  }

  public static HttpResponse response(ApiError error) {
    return response(error.code(), error.code().status, error.detail(), error.errors());
  }

  /** A domain service's refusal. */
  public static HttpResponse response(Outcome.Rejected<?> rejected) {
    return response(rejected.code(), rejected.detail());
  }

  public static HttpResponse response(ErrorCode code, String detail) {
    return response(code, code.status, detail, List.of());
  }

  /** A 429 or 503 telling the client when to come back. */
  public static HttpResponse retryLater(ErrorCode code, String detail, long retryAfterSeconds) {
    return response(code, detail).removeHeader("Retry-After").addHeader(RetryAfter.create(retryAfterSeconds));
  }

  /** For the few answers whose status differs from the code's own (413 and 415 are VALIDATION). */
  public static HttpResponse response(ErrorCode code, int status, String detail, List<ApiError.FieldError> errors) {
    Body body = new Body("about:blank", code.title, status, code.name(), detail, errors);
    HttpResponse response = HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(PROBLEM_JSON, Json.bytes(body));
    if (code == ErrorCode.RATE_LIMITED || code == ErrorCode.OVERLOADED) {
      response = response.addHeader(RetryAfter.create((long) DEFAULT_RETRY_AFTER_SECONDS));
    }
    return response;
  }
}
