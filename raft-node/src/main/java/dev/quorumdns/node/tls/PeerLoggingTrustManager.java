package dev.quorumdns.node.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs, then rethrows, every Raft peer certificate the delegate refuses (Ratis does not log refused
 * handshakes), naming the certificate's subject and issuer and the peer's address; the same refusal
 * is logged at most once a minute (Ratis retries a peer many times a second). Thread-safe.
 */
final class PeerLoggingTrustManager extends X509ExtendedTrustManager {
  private static final Logger LOG = LoggerFactory.getLogger(PeerLoggingTrustManager.class);
  private static final long QUIET_NANOS = TimeUnit.MINUTES.toNanos(1);
  private final X509ExtendedTrustManager delegate;
  private final LongSupplier nanoTime;
  private final ConcurrentMap<String, long[]> lastLogged = new ConcurrentHashMap<>();

  PeerLoggingTrustManager(X509ExtendedTrustManager delegate) {
    this(delegate, System::nanoTime);
  }

  PeerLoggingTrustManager(X509ExtendedTrustManager delegate, LongSupplier nanoTime) {
    this.delegate = delegate;
    this.nanoTime = nanoTime;
  }

  private CertificateException refused(
      String side, X509Certificate[] chain, String peer, CertificateException e) {
    X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
    String subject = leaf == null ? "none" : leaf.getSubjectX500Principal().getName();
    String issuer = leaf == null ? "none" : leaf.getIssuerX500Principal().getName();
    String host = peer == null ? "?" : peer.substring(0, Math.max(0, peer.lastIndexOf(':')));
    long now = nanoTime.getAsLong();
    // {last report, refusals since it, whether to report now, refusals not reported before now}
    long[] seen =
        lastLogged.compute(
            side + host + subject + issuer,
            (k, v) ->
                v == null || now - v[0] >= QUIET_NANOS
                    ? new long[] {now, 0, 1, v == null ? 0 : v[1]}
                    : new long[] {v[0], v[1] + 1, 0, 0});
    if (seen[2] == 1) {
      LOG.warn(
          "Raft: refused the certificate of {} {} (subject {}, issuer {}): {}{}",
          side,
          peer == null ? "(address not known to the TLS engine)" : peer,
          subject,
          issuer,
          e.getMessage(),
          seen[3] > 0 ? " (" + seen[3] + " more since the last report)" : "");
    }
    if (lastLogged.size() > 1000) {
      lastLogged.clear();
    }
    return e;
  }

  private static String peer(SSLEngine engine) {
    return engine == null || engine.getPeerHost() == null
        ? null
        : engine.getPeerHost() + ":" + engine.getPeerPort();
  }

  private static String peer(Socket socket) {
    return socket == null ? null : String.valueOf(socket.getRemoteSocketAddress());
  }

  /** One delegate check. */
  private interface Check {
    void run() throws CertificateException;
  }

  private static final String CLIENT = "incoming connection from";
  private static final String SERVER = "member";

  /** Runs {@code check}; a refusal is reported ({@link #refused}) and rethrown. */
  private void guard(String side, X509Certificate[] chain, String peer, Check check)
      throws CertificateException {
    try {
      check.run();
    } catch (CertificateException e) {
      throw refused(side, chain, peer, e);
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    guard(CLIENT, chain, peer(engine), () -> delegate.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    guard(SERVER, chain, peer(engine), () -> delegate.checkServerTrusted(chain, authType, engine));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    guard(CLIENT, chain, peer(socket), () -> delegate.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    guard(SERVER, chain, peer(socket), () -> delegate.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    guard(CLIENT, chain, null, () -> delegate.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    guard(SERVER, chain, null, () -> delegate.checkServerTrusted(chain, authType));
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
