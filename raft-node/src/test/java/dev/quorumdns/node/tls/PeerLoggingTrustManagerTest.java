package dev.quorumdns.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.quorumdns.cli.CertificateIssuer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Refused Raft peer certificates are still refused however often they are logged, and the same
 * refusal is reported at most once a minute, with the count of refusals it stood for; a different
 * refusal is reported at once.
 */
@Timeout(30)
class PeerLoggingTrustManagerTest {
  private final Logger log = (Logger) LoggerFactory.getLogger(PeerLoggingTrustManager.class);
  private final ListAppender<ILoggingEvent> reports = new ListAppender<>();
  private final AtomicLong nanos = new AtomicLong();
  private X509Certificate stranger;
  private X509Certificate otherStranger;
  private PeerLoggingTrustManager tm;

  @BeforeEach
  void setUp() throws Exception {
    reports.start();
    log.addAppender(reports);
    CertificateIssuer issuer = new CertificateIssuer(Clock.systemUTC(), TestRandom.seeded(5));
    CertificateIssuer.Issued ours = issuer.newCa("ours", Duration.ofDays(1));
    CertificateIssuer.Issued theirs = issuer.newCa("theirs", Duration.ofDays(1));
    stranger =
        issuer.issue(theirs, "n9", List.of("127.0.0.9"), true, Duration.ofDays(1)).certificate();
    otherStranger =
        issuer.issue(theirs, "n8", List.of("127.0.0.8"), true, Duration.ofDays(1)).certificate();
    ReloadingTrustManager trust = new ReloadingTrustManager();
    trust.update(List.of(ours.certificate()));
    tm = new PeerLoggingTrustManager(trust, nanos::get);
  }

  @AfterEach
  void tearDown() {
    log.detachAppender(reports);
  }

  private void refuse(X509Certificate cert, String what) {
    assertThrows(
        CertificateException.class,
        () -> tm.checkClientTrusted(new X509Certificate[] {cert}, "EC", (SSLEngine) null),
        what);
  }

  private List<String> warnings() {
    return reports.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void everyRefusalIsRethrownWhileReportsAreThrottledToOneAMinute() {
    // One refusal every 5 s for 250 s: reported at 5 s, 65 s, 125 s, 185 s and 245 s, each later
    // report
    // counting the 11 refusals it did not log.
    for (int i = 0; i < 50; i++) {
      nanos.addAndGet(Duration.ofSeconds(5).toNanos());
      refuse(stranger, "refusal " + i);
    }
    List<String> w = warnings();
    assertEquals(5, w.size(), String.join("\n", w));
    assertTrue(
        w.get(0).startsWith("Raft: refused the certificate of incoming connection from")
            && w.get(0).contains("subject CN=n9")
            && !w.get(0).contains("more since the last report"),
        w.get(0));
    for (String later : w.subList(1, 5)) {
      assertTrue(
          later.contains("subject CN=n9") && later.endsWith("(11 more since the last report)"),
          later);
    }
  }

  @Test
  void anotherCertificateIsReportedAtOnceAndKeepsItsOwnQuietTime() {
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    refuse(stranger, "first stranger");
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    refuse(otherStranger, "second stranger, one second later");
    refuse(stranger, "first stranger again, within its minute");
    refuse(otherStranger, "second stranger again, within its minute");
    List<String> w = warnings();
    assertEquals(2, w.size(), String.join("\n", w));
    assertTrue(w.get(0).contains("subject CN=n9"), w.get(0));
    assertTrue(w.get(1).contains("subject CN=n8"), w.get(1));
  }
}
