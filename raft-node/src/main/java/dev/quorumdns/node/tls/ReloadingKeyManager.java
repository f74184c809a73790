package dev.quorumdns.node.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * A key manager whose key and certificate chain can be replaced while TLS servers and clients built
 * on it keep running: each new handshake picks the latest. Aliases carry a generation number, so a
 * handshake that chose its alias just before a swap still gets the matching key. Thread-safe.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final int KEPT_GENERATIONS = 4;
  private static final char[] NO_PASSWORD = new char[0];
  private final AtomicLong generation = new AtomicLong();
  private final ConcurrentMap<Long, X509KeyManager> byGeneration = new ConcurrentHashMap<>();
  private volatile long current = -1;

  /** Makes {@code key} and {@code chain} (leaf first) the material of every later handshake. */
  public void update(PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException {
    long g = generation.incrementAndGet();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try {
      ks.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    ks.setKeyEntry("g" + g, key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(ks, NO_PASSWORD);
    byGeneration.put(g, (X509KeyManager) kmf.getKeyManagers()[0]);
    current = g;
    byGeneration.keySet().removeIf(old -> old <= g - KEPT_GENERATIONS);
  }

  /**
   * The newest generation's number and key manager, read once so an alias is tagged with its own
   * generation.
   */
  private record Latest(long generation, X509KeyManager km) {
    String tag(String alias) {
      return alias == null ? null : generation + "|" + alias;
    }

    String[] tag(String[] aliases) {
      return aliases == null ? null : Arrays.stream(aliases).map(this::tag).toArray(String[]::new);
    }
  }

  private Latest latest() {
    long g = current;
    X509KeyManager km = byGeneration.get(g);
    if (km == null) {
      throw new IllegalStateException("no key loaded yet");
    }
    return new Latest(g, km);
  }

  private X509KeyManager owner(String alias) {
    int bar = alias == null ? -1 : alias.indexOf('|');
    if (bar < 0) {
      return null;
    }
    try {
      return byGeneration.get(Long.parseLong(alias.substring(0, bar)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String untag(String alias) {
    return alias.substring(alias.indexOf('|') + 1);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    Latest l = latest();
    return l.tag(l.km().getClientAliases(keyType, issuers));
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    Latest l = latest();
    return l.tag(l.km().chooseClientAlias(keyType, issuers, socket));
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    Latest l = latest();
    return l.tag(
        l.km() instanceof X509ExtendedKeyManager x
            ? x.chooseEngineClientAlias(keyType, issuers, engine)
            : l.km().chooseClientAlias(keyType, issuers, null));
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    Latest l = latest();
    return l.tag(l.km().getServerAliases(keyType, issuers));
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Latest l = latest();
    return l.tag(l.km().chooseServerAlias(keyType, issuers, socket));
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Latest l = latest();
    return l.tag(
        l.km() instanceof X509ExtendedKeyManager x
            ? x.chooseEngineServerAlias(keyType, issuers, engine)
            : l.km().chooseServerAlias(keyType, issuers, null));
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    X509KeyManager km = owner(alias);
    return km == null ? null : km.getCertificateChain(untag(alias));
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    X509KeyManager km = owner(alias);
    return km == null ? null : km.getPrivateKey(untag(alias));
  }
}
