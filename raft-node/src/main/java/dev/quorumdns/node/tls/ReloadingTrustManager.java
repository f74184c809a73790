package dev.quorumdns.node.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager (PKIX, trusting only the given CA certificates) whose CAs can be replaced while
 * TLS servers and clients built on it keep running: each new handshake is checked against the
 * latest. Host names are checked when the connection asks for it (HTTPS endpoint identification).
 * Thread-safe.
 */
public final class ReloadingTrustManager extends X509ExtendedTrustManager {
  private volatile X509ExtendedTrustManager delegate;

  /** Makes {@code cas} the only trusted issuers of every later handshake. */
  public void update(List<X509Certificate> cas) throws GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    for (int i = 0; i < cas.size(); i++) {
      ks.setCertificateEntry("ca" + i, cas.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ks);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        delegate = x;
        return;
      }
    }
    throw new GeneralSecurityException("no X509ExtendedTrustManager from PKIX");
  }

  private X509ExtendedTrustManager latest() throws CertificateException {
    X509ExtendedTrustManager d = delegate;
    if (d == null) {
      throw new CertificateException("no CA loaded yet");
    }
    return d;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    latest().checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    latest().checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    latest().checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    latest().checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    latest().checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    latest().checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    X509ExtendedTrustManager d = delegate;
    return d == null ? new X509Certificate[0] : d.getAcceptedIssuers();
  }
}
