package dev.quorumdns.node.tls;

import dev.quorumdns.node.config.TlsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a node's TLS material (certificate chain, key, cluster CA) behind a {@link
 * ReloadingKeyManager} and a {@link ReloadingTrustManager}, and reloads it when one of the files
 * (the key's passphrase file included) changes (modification time, size or inode, checked every
 * {@link TlsConfig#reloadInterval()} on the given scheduler). A reload that fails (a file that does
 * not parse, a key that does not match the certificate) keeps the material in use and logs an error
 * naming the file; it is tried again when a file changes again.
 *
 * <p>{@link #checkNow} may be called from any thread; reloads are serialised.
 */
public final class TlsReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

  private final TlsConfig config;
  private final Clock clock;
  private final ReloadingKeyManager keyManager = new ReloadingKeyManager();
  private final ReloadingTrustManager trustManager;
  private volatile X509Certificate certificate;
  private List<Object> stamps;
  private ScheduledFuture<?> poll;

  /** Loads the files now; throws, naming the file, if they cannot be used. */
  public TlsReloader(TlsConfig config, Clock clock) throws TlsFileException {
    this.config = config;
    this.clock = clock;
    this.trustManager = config.ca() == null ? null : new ReloadingTrustManager();
    this.stamps = stamps();
    load();
  }

  /** Checks the files every reload interval on {@code scheduler} until closed. */
  public synchronized void watch(ScheduledExecutorService scheduler) {
    long ms = config.reloadInterval().toMillis();
    poll = scheduler.scheduleWithFixedDelay(this::checkNow, ms, ms, TimeUnit.MILLISECONDS);
  }

  public ReloadingKeyManager keyManager() {
    return keyManager;
  }

  /** The cluster CA's trust manager, or null when no CA is configured. */
  public ReloadingTrustManager trustManager() {
    return trustManager;
  }

  /** The leaf certificate in use. */
  public X509Certificate certificate() {
    return certificate;
  }

  public TlsConfig config() {
    return config;
  }

  /** Reloads if a file changed since the last look; returns whether new material is now in use. */
  public synchronized boolean checkNow() {
    List<Object> now = stamps();
    if (now.equals(stamps)) {
      return false;
    }
    stamps = now;
    try {
      load();
      LOG.info(
          "TLS material reloaded from {}: certificate serial {} ({}), valid until {}",
          config.cert(),
          certificate.getSerialNumber().toString(16),
          certificate.getSubjectX500Principal().getName(),
          certificate.getNotAfter().toInstant());
      return true;
    } catch (TlsFileException e) {
      LOG.error(
          "TLS reload failed, still using certificate serial {}: {}",
          certificate.getSerialNumber().toString(16),
          e.getMessage());
      return false;
    } catch (RuntimeException e) {
      LOG.error(
          "TLS reload of {} failed, still using the previous material: {}",
          config.cert(),
          e.toString());
      return false;
    }
  }

  private void load() throws TlsFileException {
    List<X509Certificate> chain = PemFiles.certificates(config.cert());
    PrivateKey key = PemFiles.privateKey(config.key(), config.keyPassphraseFile());
    if (!matches(key, chain.get(0))) {
      throw new TlsFileException(
          config.key(), "does not match the certificate in " + config.cert());
    }
    List<X509Certificate> cas = config.ca() == null ? null : PemFiles.certificates(config.ca());
    try {
      keyManager.update(key, chain);
      if (cas != null) {
        trustManager.update(cas);
      }
    } catch (GeneralSecurityException e) {
      throw new TlsFileException(config.cert(), "cannot be used: " + e.getMessage());
    }
    certificate = chain.get(0);
    if (certificate.getNotAfter().toInstant().isBefore(clock.instant())) {
      LOG.warn(
          "{}: certificate serial {} expired at {}",
          config.cert(),
          certificate.getSerialNumber().toString(16),
          certificate.getNotAfter().toInstant());
    }
  }

  /**
   * Whether {@code key} is the private half of the certificate's public key (signs and verifies a
   * probe).
   */
  static boolean matches(PrivateKey key, X509Certificate cert) {
    String alg =
        switch (key.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          default -> key.getAlgorithm();
        };
    try {
      byte[] probe = "quorumdns-key-check".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private List<Object> stamps() {
    List<Object> out = new ArrayList<>();
    for (Path p :
        new Path[] {config.cert(), config.key(), config.ca(), config.keyPassphraseFile()}) {
      if (p == null) {
        continue;
      }
      try {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        out.add(List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey())));
      } catch (IOException e) {
        out.add("missing");
      }
    }
    return out;
  }

  @Override
  public synchronized void close() {
    if (poll != null) {
      poll.cancel(false);
    }
  }
}
