package com.flashsale.http;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.extractMaterializer;
import static akka.http.javadsl.server.Directives.extractRequestEntity;
import static akka.http.javadsl.server.Directives.onComplete;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flashsale.ErrorCode;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a request body as one JSON object: {@code application/json} (else 415), at most
 * {@code maxBytes} (else 413), nested at most {@link #MAX_DEPTH} deep, numbers at most
 * {@link #MAX_NUMBER_LENGTH} characters (a longer one would cost time quadratic in its length to turn into a
 * number, and no field takes one), no trailing data. Anything else
 * is a 400 VALIDATION problem; the parser's own message (which may quote the input) never leaks.
 */
public final class JsonBody {

  static final int MAX_DEPTH = 16;
  static final int MAX_NUMBER_LENGTH = 20;
  private static final long READ_TIMEOUT_MILLIS = 5_000;

  private final long maxBytes;

  public JsonBody(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** A required JSON object body. */
  public Route object(Function<Fields, Route> inner) {
    return read(false, inner);
  }

  /** A JSON object body, or none at all (then every field is absent). */
  public Route optionalObject(Function<Fields, Route> inner) {
    return read(true, inner);
  }

  private Route read(boolean optional, Function<Fields, Route> inner) {
    return extractRequestEntity(entity -> extractMaterializer(materializer -> {
      if (entity.getContentLengthOption().isPresent() && entity.getContentLengthOption().getAsLong() > maxBytes) {
        return complete(tooLarge());
      }
      if (entity.isKnownEmpty()) {
        return optional ? inner.apply(Fields.of(Json.MAPPER.createObjectNode())) : complete(missing());
      }
      if (!entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return complete(Problem.response(ErrorCode.VALIDATION, 415,
            "Request bodies must be application/json", List.of()));
      }
      return onComplete(entity.withSizeLimit(maxBytes).toStrict(READ_TIMEOUT_MILLIS, materializer), strict -> {
        if (strict.isFailure()) {
          return complete(causedBySize(strict.failed().get()) ? tooLarge()
              : Problem.response(ErrorCode.VALIDATION, "The request body could not be read"));
        }
        HttpEntity.Strict body = strict.get();
        if (body.getData().isEmpty()) {
          return optional ? inner.apply(Fields.of(Json.MAPPER.createObjectNode())) : complete(missing());
        }
        try {
          return inner.apply(Fields.of(parseObject(body.getData().toArray())));
        } catch (ApiError error) {
          return complete(Problem.response(error));
        }
      });
    }));
  }

  /**
   * Parses bytes as one JSON object, checking depth and number lengths with a streaming pass (which reads a
   * number's characters without converting them) before building the tree.
   */
  static ObjectNode parseObject(byte[] bytes) {
    try {
      try (JsonParser parser = Json.MAPPER.getFactory().createParser(bytes)) {
        int depth = 0;
        boolean complete = false;
        for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
          if (complete) {
            throw new ApiError(ErrorCode.VALIDATION, "The body must be exactly one JSON object");
          }
          if (token.isStructStart() && ++depth > MAX_DEPTH) {
            throw new ApiError(ErrorCode.VALIDATION, "The JSON body is nested too deeply");
          }
          if (token.isStructEnd()) {
            depth--;
          }
          if (token.isNumeric() && parser.getTextLength() > MAX_NUMBER_LENGTH) {
            throw new ApiError(ErrorCode.VALIDATION, "A number in the body is longer than " + MAX_NUMBER_LENGTH
                + " characters");
          }
          complete = depth == 0;
        }
      }
      JsonNode node = Json.MAPPER.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new ApiError(ErrorCode.VALIDATION, "The body must be a JSON object");
      }
      return (ObjectNode) node;
    } catch (IOException e) {
      throw new ApiError(ErrorCode.VALIDATION, "The body is not valid JSON");
    }
  }

  private static boolean causedBySize(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof EntityStreamSizeException) {
        return true;
      }
    }
    return false;
  }

  private akka.http.javadsl.model.HttpResponse tooLarge() {
    return Problem.response(ErrorCode.VALIDATION, 413, "The body is larger than " + maxBytes + " bytes", List.of());
  }

  private static akka.http.javadsl.model.HttpResponse missing() {
    return Problem.response(ErrorCode.VALIDATION, "A JSON body is required");
  }
}
