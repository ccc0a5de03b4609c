package io.imago.api;

import io.imago.domain.ImagoException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Request bodies of the JSON endpoints, with Glance's error texts (spec/images-api.md §0.2). */
public final class JsonBodies {
  private JsonBodies() {}

  /** The body as a JSON object or array; 400 when absent, not UTF-8, malformed, or a scalar. */
  public static Object parse(RoutingContext rc) {
    Buffer body = rc.body() == null ? null : rc.body().buffer();
    if (body == null || body.length() == 0) {
      throw ImagoException.badRequest("Body expected in request.");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body.getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      throw ImagoException.badRequest("Request body is not valid UTF-8.");
    }
    Object value;
    try {
      value = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ImagoException.badRequest("Malformed JSON in request body.");
    }
    if (!(value instanceof JsonObject) && !(value instanceof JsonArray)) {
      throw ImagoException.badRequest("Unexpected body type. Expected list/dict.");
    }
    return value;
  }

  /** The body as a JSON object; an array is a 400 as well. */
  public static JsonObject object(RoutingContext rc) {
    Object v = parse(rc);
    if (!(v instanceof JsonObject o)) {
      throw ImagoException.badRequest("Unexpected body type. Expected dict.");
    }
    return o;
  }

  /** Ends {@code rc} with a JSON body and status. */
  public static void send(RoutingContext rc, int status, Object json) {
    String text = json instanceof JsonObject o ? o.encode() : json instanceof JsonArray a ? a.encode() : Json.encode(json);
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
  }
}
