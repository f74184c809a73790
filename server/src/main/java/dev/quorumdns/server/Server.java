package dev.quorumdns.server;

import dev.quorumdns.node.Node;
import dev.quorumdns.node.api.HttpApi;
import dev.quorumdns.node.config.NodeConfig;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code quorumdns node} process: a {@link Node} runtime with its {@link HttpApi} in front,
 * sharing one Prometheus registry. The API's token files are read first (a bad one refuses the
 * start with nothing opened), the runtime starts next (DNS, registry, Raft), the API last; closing
 * goes the other way. {@link #start} and {@link #close} are called once each, from one thread.
 */
public final class Server implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Server.class);
  private final NodeConfig config;
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpApi api;
  private final Node node;

  /**
   * @param exit see {@link Node#Node}: called with the exit code when the node stops on its own
   */
  public Server(NodeConfig config, Clock clock, IntConsumer exit) {
    this.config = config;
    this.api = HttpApi.open(config.apiAccess(), clock);
    this.node = new Node(config, clock, meters, exit);
  }

  public void start() throws IOException, InterruptedException {
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ClassLoaderMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    new UptimeMetrics().bindTo(meters);
    node.start();
    api.start(
        node,
        new InetSocketAddress(config.bind(), config.apiPort()),
        meters,
        meters::scrape,
        node.apiSslContext(),
        config.metricsAddr() == null
            ? null
            : new InetSocketAddress(config.metricsAddr().host(), config.metricsAddr().port()));
    LOG.info(
        "node {} serving: api {}{}",
        config.id(),
        api.address(),
        api.metricsAddress() == null
            ? ""
            : ", health and metrics (plain HTTP) " + api.metricsAddress());
  }

  @Override
  public void close() {
    api.close();
    node.close();
    meters.close();
  }
}
