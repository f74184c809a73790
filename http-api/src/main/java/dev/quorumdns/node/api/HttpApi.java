package dev.quorumdns.node.api;

import dev.quorumdns.node.api.watch.WatchHub;
import dev.quorumdns.node.auth.TokenStore;
import dev.quorumdns.node.config.ApiAccess;
import dev.quorumdns.node.runtime.NodeRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP API as one piece: its tokens, its audit log and its server, serving a {@link
 * NodeRuntime}. {@link #open} reads the token files before the node starts, so a bad one refuses
 * the start with nothing opened; {@link #start} serves the running node; {@link #close} stops it.
 * Each is called once, from one thread.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  private final ApiAccess access;
  private final Clock clock;
  private final ApiAuth auth;
  private final ScheduledExecutorService reloads;
  private final ExecutorService answers =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "quorumdns-api-answers");
            t.setDaemon(true);
            return t;
          });
  private AuditLog audit;
  private WatchHub hub;
  private ApiServer server;
  private ApiServer metricsServer;

  private HttpApi(ApiAccess access, Clock clock, ApiAuth auth, ScheduledExecutorService reloads) {
    this.access = access;
    this.clock = clock;
    this.auth = auth;
    this.reloads = reloads;
  }

  /**
   * Reads the token files of {@code access}; throws a {@code ValidationException} naming the key if
   * unusable.
   */
  public static HttpApi open(ApiAccess access, Clock clock) {
    if (access.tokenFile() != null) {
      TokenStore tokens = TokenStore.load(access.tokenFile());
      ScheduledExecutorService reloads =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "quorumdns-token-reload");
                t.setDaemon(true);
                return t;
              });
      tokens.watch(reloads, TokenStore.RELOAD_EVERY);
      return new HttpApi(access, clock, ApiAuth.tokens(tokens), reloads);
    }
    ApiAuth auth =
        access.apiTokenFile() == null ? ApiAuth.none() : ApiAuth.fromFile(access.apiTokenFile());
    return new HttpApi(access, clock, auth, null);
  }

  /**
   * Opens the audit log and binds the API.
   *
   * @param meters where the API's request and connection meters go
   * @param metrics the Prometheus text of every meter, served at {@code /metrics}
   * @param ssl HTTPS only when not null
   * @param metricsBind where the plain health and metrics listener binds ({@code metrics-addr}), or
   *     null for none
   */
  public void start(
      NodeRuntime node,
      InetSocketAddress bind,
      MeterRegistry meters,
      Supplier<String> metrics,
      SslContext ssl,
      InetSocketAddress metricsBind)
      throws IOException, InterruptedException {
    audit = AuditLog.open(access.auditLog(), clock);
    hub = new WatchHub(node, access.watch(), meters, new SplittableRandom());
    hub.start();
    server =
        new ApiServer(
            bind, new ApiRoutes(node, hub, answers, metrics, auth, audit), meters, access, ssl);
    server.start();
    if (metricsBind != null) {
      metricsServer =
          new ApiServer(metricsBind, ApiRoutes.healthOnly(node, metrics), meters, access, null);
      metricsServer.start();
    }
  }

  public InetSocketAddress address() {
    return server.address();
  }

  /** Where the plain health and metrics listener is bound, or null when there is none. */
  public InetSocketAddress metricsAddress() {
    return metricsServer == null ? null : metricsServer.address();
  }

  @Override
  public void close() {
    if (reloads != null) {
      reloads.shutdownNow();
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
    if (hub != null) {
      hub.close();
    }
    answers.shutdownNow();
    if (server != null) {
      server.close();
    }
    if (audit != null) {
      audit.close();
    }
    LOG.debug("HTTP API closed");
  }
}
