package dev.quorumdns.node.tls;

import dev.quorumdns.node.config.TlsConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * TLS contexts built on a {@link TlsReloader}'s key and trust managers, so that every new handshake
 * uses the newest material: the HTTP API's (Netty), Raft's (Ratis gRPC, mutual) and a client's
 * (CLI, tests). Stateless.
 */
public final class TlsContexts {
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private TlsContexts() {}

  /**
   * The API's server context: HTTPS, asking for client certificates as {@link
   * TlsConfig#apiClientCerts()} says.
   */
  public static SslContext apiServer(TlsReloader tls) throws SSLException {
    SslContextBuilder b =
        SslContextBuilder.forServer(tls.keyManager())
            .sslProvider(SslProvider.JDK)
            .protocols(PROTOCOLS);
    if (tls.trustManager() != null) {
      b.trustManager(tls.trustManager());
    }
    b.clientAuth(
        switch (tls.config().apiClientCerts()) {
          case REQUIRE -> ClientAuth.REQUIRE;
          case OPTIONAL -> ClientAuth.OPTIONAL;
          case NONE -> ClientAuth.NONE;
        });
    return b.build();
  }

  /**
   * Ratis' TLS settings: mutual TLS with this node's certificate for both roles (server, and client
   * of the other members), and only certificates signed by the cluster CA accepted. Ratis builds
   * its SSL contexts once from these managers; the managers pick up reloads.
   */
  public static GrpcTlsConfig raft(TlsReloader tls) {
    if (tls.trustManager() == null) {
      throw new IllegalArgumentException("Raft TLS needs tls-ca");
    }
    return new GrpcTlsConfig(
        tls.keyManager(), new PeerLoggingTrustManager(tls.trustManager()), true);
  }

  /**
   * The context in which a node asks other nodes' APIs for their formation info: this node's
   * certificate as the client's, and any server whose certificate the cluster CA signed (without a
   * CA, the JDK's default CAs).
   */
  public static SSLContext peerClient(TlsReloader tls) throws GeneralSecurityException {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        new KeyManager[] {tls.keyManager()},
        tls.trustManager() == null
            ? null
            : new TrustManager[] {new ClusterCaTrustManager(tls.trustManager())},
        null);
    return ctx;
  }

  /**
   * A client context for the JDK's {@code HttpClient} or sockets: trusts only {@code ca} (or the
   * JDK's default CAs when null) and presents {@code cert}/{@code key} when both are given.
   */
  public static SSLContext client(Path ca, Path cert, Path key)
      throws TlsFileException, GeneralSecurityException {
    return client(ca, cert, key, null);
  }

  /**
   * {@link #client(Path, Path, Path)} with an encrypted key, unlocked by the first line of {@code
   * passphraseFile}.
   */
  public static SSLContext client(Path ca, Path cert, Path key, Path passphraseFile)
      throws TlsFileException, GeneralSecurityException {
    KeyManager[] kms = null;
    if (cert != null && key != null) {
      ReloadingKeyManager km = new ReloadingKeyManager();
      List<X509Certificate> chain = PemFiles.certificates(cert);
      PrivateKey pk = PemFiles.privateKey(key, passphraseFile);
      if (!TlsReloader.matches(pk, chain.get(0))) {
        throw new TlsFileException(key, "does not match the certificate in " + cert);
      }
      km.update(pk, chain);
      kms = new KeyManager[] {km};
    }
    TrustManager[] tms = null;
    if (ca != null) {
      ReloadingTrustManager tm = new ReloadingTrustManager();
      tm.update(PemFiles.certificates(ca));
      tms = new TrustManager[] {tm};
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kms, tms, null);
    return ctx;
  }
}
