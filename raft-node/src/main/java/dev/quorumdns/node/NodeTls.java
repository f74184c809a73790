package dev.quorumdns.node;

import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.tls.TlsContexts;
import dev.quorumdns.node.tls.TlsFileException;
import dev.quorumdns.node.tls.TlsReloader;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires a node's TLS files into its API server and Raft runtime. Stateless; used while starting up.
 */
final class NodeTls {
  private static final Logger LOG = LoggerFactory.getLogger(NodeTls.class);

  private NodeTls() {}

  /**
   * Loads the TLS files and watches them on {@code scheduler}; null when the node runs without TLS.
   */
  static TlsReloader load(NodeConfig config, Clock clock, ScheduledExecutorService scheduler)
      throws IOException {
    if (config.tls() == null) {
      return null;
    }
    try {
      TlsReloader tls = new TlsReloader(config.tls(), clock);
      tls.watch(scheduler);
      LOG.info(
          "TLS: certificate {} serial {}; API {}; Raft {}",
          config.tls().cert(),
          tls.certificate().getSerialNumber().toString(16),
          "HTTPS, client certificates "
              + config.tls().apiClientCerts().name().toLowerCase(Locale.ROOT),
          config.tls().raftTls()
              ? "mutual TLS (CA " + config.tls().ca() + ")"
              : "plain (no tls-ca)");
      return tls;
    } catch (TlsFileException e) {
      throw new IOException("TLS: " + e.getMessage(), e);
    }
  }

  static GrpcTlsConfig raft(NodeConfig config, TlsReloader tls) {
    return tls != null && config.tls().raftTls() ? TlsContexts.raft(tls) : null;
  }

  static SslContext api(TlsReloader tls) throws IOException {
    return tls == null ? null : TlsContexts.apiServer(tls);
  }
}
