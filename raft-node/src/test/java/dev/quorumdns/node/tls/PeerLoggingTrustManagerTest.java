package dev.quorumdns.node.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.cli.CertificateIssuer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Refused Raft peer certificates are still refused however often they are logged. */
@Timeout(30)
class PeerLoggingTrustManagerTest {
  @Test
  void everyRefusalIsRethrownWhileReportsAreThrottled() throws Exception {
    CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC(), TestRandom.seeded(5));
    CertificateIssuer.Issued ours = issuer.newCa("ours", Duration.ofDays(1));
    CertificateIssuer.Issued theirs = issuer.newCa("theirs", Duration.ofDays(1));
    X509Certificate stranger = issuer.issue(theirs, "n9", List.of("127.0.0.9"), true, Duration.ofDays(1))
        .certificate();
    ReloadingTrustManager trust = new ReloadingTrustManager();
    trust.update(List.of(ours.certificate()));
    AtomicLong nanos = new AtomicLong();
    PeerLoggingTrustManager tm = new PeerLoggingTrustManager(trust, nanos::get);
    for (int i = 0; i < 50; i++) {
      nanos.addAndGet(Duration.ofSeconds(5).toNanos());
      assertThrows(CertificateException.class, () -> tm.checkClientTrusted(new X509Certificate[] {stranger}, "EC",
          (SSLEngine) null), "refusal " + i);
    }
  }
}
