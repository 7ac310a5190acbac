package com.flashsale.http;

import akka.event.LoggingAdapter;
import akka.http.ParsingErrorHandler;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;
import com.flashsale.ErrorCode;
import java.util.List;

/**
 * Answers requests too malformed to reach any route (bad request line, illegal URI characters,
 * oversized headers) with problem+json instead of Akka HTTP's plain-text page. Configured as
 * {@code akka.http.server.parsing.error-handler}.
 */
public final class ProblemParsingErrorHandler extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo error, LoggingAdapter log, ServerSettings settings) {
    int code = status.intValue();
    // The parser's 501 (unknown method) and 505 (bad HTTP version) are the client's fault too.
    return Problem.response(ErrorCode.VALIDATION, code >= 400 && code < 500 ? code : 400,
        "The request is malformed", List.of());
  }
}
