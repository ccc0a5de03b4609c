package io.imago.keystone;

import io.imago.config.KeystoneConfig;
import io.imago.domain.ErrorKind;
import io.imago.domain.ImagoException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Imago's non-blocking client of Keystone's v3 API, acting as Imago's own service user (password
 * authentication, as Glance's {@code [keystone_authtoken]} with {@code auth_type=password}). It
 * keeps that user's tokens (one project-scoped, one system-scoped when asked for) and renews them
 * shortly before they expire or when Keystone refuses them.
 *
 * <p>Every call is bounded by {@code http_connect_timeout} and {@code http_request_timeout}; when
 * Keystone cannot be reached or answers 5xx the future fails with {@link ErrorKind#UNAVAILABLE}
 * (503), so a slow Keystone never holds a request, let alone an event loop.
 */
public final class KeystoneClient {
  private static final Logger LOG = LoggerFactory.getLogger(KeystoneClient.class);
  /** Renew the service token this long before it expires, so that it never expires in flight. */
  private static final Duration RENEW_BEFORE = Duration.ofSeconds(60);

  /** Which of the service user's tokens to use. */
  public enum Scope { PROJECT, SYSTEM }

  /** A token of the service user: its id, expiry and body (which holds the service catalog). */
  public record ServiceToken(String id, Instant expiresAt, JsonObject token) {}

  /** The token checked by {@link #validate} does not exist, is revoked or expired (Keystone: 404). */
  public static final class InvalidTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidTokenException(String message) {
      super(message, null, false, false);
    }
  }

  private final KeystoneConfig config;
  private final HttpClientAgent http;
  private final Clock clock;
  private final String v3;
  private final Map<Scope, AtomicReference<Future<ServiceToken>>> tokens =
      Map.of(Scope.PROJECT, new AtomicReference<>(), Scope.SYSTEM, new AtomicReference<>());

  public KeystoneClient(Vertx vertx, KeystoneConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.v3 = v3Base(config.authUrl());
    this.http = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) config.httpConnectTimeout().toMillis())
            .setKeepAlive(true)
            .setName("keystone"),
        new PoolOptions().setHttp1MaxSize(32));
  }

  /** {@code http://ks:5000}, {@code http://ks:5000/}, {@code http://ks/identity/v3} → the v3 base URL. */
  static String v3Base(String authUrl) {
    String u = authUrl.strip();
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u.endsWith("/v3") ? u : u + "/v3";
  }

  /**
   * Validates {@code subjectToken} ({@code GET /v3/auth/tokens}, spec/keystone.md §2). Fails with
   * {@link InvalidTokenException} when Keystone does not know it, or it is expired and
   * {@code allowExpired} is false; with {@link ErrorKind#UNAVAILABLE} when Keystone cannot answer.
   */
  public Future<TokenInfo> validate(String subjectToken, boolean allowExpired) {
    String path = "/auth/tokens?nocatalog" + (allowExpired ? "&allow_expired=1" : "");
    return withServiceToken(Scope.PROJECT, serviceToken ->
        call(HttpMethod.GET, path, serviceToken, subjectToken, null))
        .compose(resp -> switch (resp.status()) {
          case 200 -> {
            TokenInfo info;
            try {
              info = TokenInfo.parse(resp.json());
            } catch (IllegalArgumentException | DecodeException e) {
              yield Future.failedFuture(unavailable("Keystone answered a token validation with an unreadable body: "
                  + e.getMessage(), null));
            }
            if (!allowExpired && info.expiredAt(clock.instant())) {
              yield Future.failedFuture(new InvalidTokenException("token expired"));
            }
            yield Future.succeededFuture(info);
          }
          case 404 -> Future.failedFuture(new InvalidTokenException("token not found or expired"));
          // Keystone rejects a malformed X-Subject-Token (e.g. spaces, non-ASCII) with 400/401
          case 400 -> Future.failedFuture(new InvalidTokenException("malformed token"));
          default -> Future.failedFuture(unexpected("validating a token", resp));
        });
  }

  /** {@code GET <v3><pathAndQuery>} with the service user's token of {@code scope}; the JSON body of a 200. */
  public Future<JsonObject> get(String pathAndQuery, Scope scope) {
    return withServiceToken(scope, token -> call(HttpMethod.GET, pathAndQuery, token, null, null))
        .compose(resp -> {
          if (resp.status() != 200) {
            return Future.failedFuture(unexpected("GET " + pathAndQuery, resp));
          }
          try {
            return Future.succeededFuture(resp.json());
          } catch (DecodeException e) {
            return Future.failedFuture(unavailable("Keystone answered GET " + pathAndQuery + " with invalid JSON", e));
          }
        });
  }

  /** The service user's current token of {@code scope} (fetched or renewed when needed). */
  public Future<ServiceToken> serviceToken(Scope scope) {
    AtomicReference<Future<ServiceToken>> ref = tokens.get(scope);
    while (true) {
      Future<ServiceToken> current = ref.get();
      if (current != null && !current.failed()) {
        if (!current.isComplete()) {
          return current; // one login in flight, shared by every caller
        }
        if (clock.instant().plus(RENEW_BEFORE).isBefore(current.result().expiresAt())) {
          return current;
        }
      }
      Future<ServiceToken> fresh = login(scope);
      if (ref.compareAndSet(current, fresh)) {
        return fresh;
      }
    }
  }

  /**
   * Runs {@code call} with a service token; if Keystone answers 401 (the token was revoked or the
   * keys rotated), renews the token once and tries again.
   */
  private Future<Response> withServiceToken(Scope scope, java.util.function.Function<String, Future<Response>> call) {
    return serviceToken(scope).compose(token -> call.apply(token.id()).compose(resp -> {
      if (resp.status() != 401) {
        return Future.succeededFuture(resp);
      }
      Future<ServiceToken> stale = tokens.get(scope).get();
      if (stale != null && stale.succeeded() && stale.result().id().equals(token.id())) {
        tokens.get(scope).compareAndSet(stale, null);
      }
      return serviceToken(scope).compose(renewed -> call.apply(renewed.id()));
    }));
  }

  private Future<ServiceToken> login(Scope scope) {
    JsonObject user = new JsonObject().put("name", config.username()).put("password", config.password())
        .put("domain", new JsonObject().put("name", config.userDomainName()));
    JsonObject scopeJson = scope == Scope.SYSTEM
        ? new JsonObject().put("system", new JsonObject().put("all", true))
        : new JsonObject().put("project", new JsonObject().put("name", config.projectName())
            .put("domain", new JsonObject().put("name", config.projectDomainName())));
    JsonObject body = new JsonObject().put("auth", new JsonObject()
        .put("identity", new JsonObject().put("methods", new JsonArray().add("password"))
            .put("password", new JsonObject().put("user", user)))
        .put("scope", scopeJson));
    return call(HttpMethod.POST, "/auth/tokens", null, null, body.toBuffer()).compose(resp -> {
      if (resp.status() != 201) {
        if (resp.status() == 401 || resp.status() == 403 || resp.status() == 400) {
          LOG.atError().setMessage("Keystone refused Imago's service user; check auth.keystone_authtoken")
              .addKeyValue("status", resp.status()).addKeyValue("scope", scope).addKeyValue("user", config.username())
              .log();
        }
        return Future.failedFuture(unexpected("authenticating the service user", resp));
      }
      String id = resp.headers().get("X-Subject-Token");
      try {
        JsonObject token = resp.json().getJsonObject("token");
        Instant expires = Instant.parse(token.getString("expires_at"));
        if (id == null) {
          throw new IllegalArgumentException("no X-Subject-Token");
        }
        return Future.succeededFuture(new ServiceToken(id, expires, token));
      } catch (RuntimeException e) {
        return Future.failedFuture(unavailable("Keystone's token response is unreadable: " + e.getMessage(), e));
      }
    });
  }

  record Response(int status, io.vertx.core.MultiMap headers, Buffer body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /**
   * One Keystone call; retried once when the connection broke before an answer (a server closing
   * an idle keep-alive connection as we reuse it is ordinary: Apache, uWSGI). Every call here may
   * be repeated safely: validations and reads, or a login.
   */
  private Future<Response> call(HttpMethod method, String path, String authToken, String subjectToken, Buffer body) {
    return attempt(method, path, authToken, subjectToken, body).recover(e -> brokenConnection(e)
        ? attempt(method, path, authToken, subjectToken, body) : Future.failedFuture(e))
        .recover(e -> Future.failedFuture(e instanceof ImagoException ? e
            : unavailable("Keystone at " + v3 + " did not answer: " + e, e)));
  }

  private static boolean brokenConnection(Throwable e) {
    return e instanceof HttpClosedException || e instanceof java.net.SocketException
        || (e instanceof java.io.IOException && !(e instanceof java.net.ConnectException));
  }

  private Future<Response> attempt(HttpMethod method, String path, String authToken, String subjectToken,
      Buffer body) {
    long timeout = config.httpRequestTimeout().toMillis();
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(v3 + path)
        .setConnectTimeout(config.httpConnectTimeout().toMillis()).setIdleTimeout(timeout)
        .putHeader("Accept", "application/json").putHeader("User-Agent", "imago");
    if (authToken != null) {
      options.putHeader("X-Auth-Token", authToken);
    }
    if (subjectToken != null) {
      options.putHeader("X-Subject-Token", subjectToken);
    }
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return http.request(options)
        .compose(req -> (body == null ? req.send() : req.send(body))
            .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b))))
        .timeout(timeout, TimeUnit.MILLISECONDS);
  }

  private ImagoException unexpected(String what, Response resp) {
    String text = resp.body() == null ? "" : resp.body().toString();
    return unavailable("Keystone answered " + resp.status() + " when " + what + ": "
        + (text.length() > 200 ? text.substring(0, 200) : text), null);
  }

  private static ImagoException unavailable(String detail, Throwable cause) {
    LOG.atWarn().setMessage("Keystone unavailable").addKeyValue("detail", detail).log();
    return new ImagoException(ErrorKind.UNAVAILABLE, Map.of(), cause,
        "The identity service is unavailable; the token could not be checked. Please try again later.");
  }

  /** Closes the connections to Keystone. */
  public Future<Void> close() {
    return http.close();
  }
}
