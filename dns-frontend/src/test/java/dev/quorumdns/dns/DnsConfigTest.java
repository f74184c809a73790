package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.registry.ValidationException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DnsConfig validates every field when built, naming the node's configuration key, and normalises
 * names.
 */
class DnsConfigTest {
  private static final DnsConfig OK =
      DnsConfig.defaults(InetAddress.getLoopbackAddress(), 53535, "mesh.internal", "n1");

  private static DnsConfig with(Function<DnsConfig, DnsConfig> f) {
    return f.apply(OK);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("bind", (Runnable) () -> DnsConfig.defaults(null, 53, "mesh.internal", "n1")),
        Arguments.of(
            "dns-port",
            (Runnable) () -> DnsConfig.defaults(OK.bindAddress(), 70000, "mesh.internal", "n1")),
        Arguments.of(
            "dns-port",
            (Runnable) () -> DnsConfig.defaults(OK.bindAddress(), -1, "mesh.internal", "n1")),
        Arguments.of("domain", (Runnable) () -> DnsConfig.defaults(OK.bindAddress(), 53, "", "n1")),
        Arguments.of(
            "domain",
            (Runnable) () -> DnsConfig.defaults(OK.bindAddress(), 53, "mesh..internal", "n1")),
        Arguments.of(
            "domain",
            (Runnable) () -> DnsConfig.defaults(OK.bindAddress(), 53, "me_sh.internal", "n1")),
        Arguments.of(
            "id",
            (Runnable) () -> DnsConfig.defaults(OK.bindAddress(), 53, "mesh.internal", "n 1")),
        Arguments.of("dns-ttl", (Runnable) () -> with(c -> c.withTtls(-1, 30))),
        Arguments.of("dns-negative-ttl", (Runnable) () -> with(c -> c.withTtls(60, -5))),
        Arguments.of(
            "upstream",
            (Runnable)
                () ->
                    with(
                        c ->
                            c.withUpstreams(
                                List.of(InetSocketAddress.createUnresolved("dns.example", 53))))),
        Arguments.of(
            "upstream-timeout", (Runnable) () -> with(c -> c.withUpstreamTimeout(Duration.ZERO))),
        Arguments.of("dns-udp-payload", (Runnable) () -> with(c -> c.withUdpPayloadSize(511))),
        Arguments.of(
            "dns-tcp-idle-timeout",
            (Runnable) () -> with(c -> c.withTcpLimits(Duration.ofMillis(-1), 5))),
        Arguments.of(
            "dns-max-tcp-connections",
            (Runnable) () -> with(c -> c.withTcpLimits(Duration.ofSeconds(1), 0))),
        Arguments.of("dns-threads", (Runnable) () -> with(c -> c.withThreads(0))),
        Arguments.of("dns-threads", (Runnable) () -> with(c -> c.withThreads(65))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void badValuesNameTheirField(String field, Runnable build) {
    ValidationException e = assertThrows(ValidationException.class, build::run);
    assertEquals(field, e.field(), e.getMessage());
  }

  @Test
  void namesAreNormalisedAndDefaultsAreTheDesigns() {
    DnsConfig c = DnsConfig.defaults(InetAddress.getLoopbackAddress(), 0, "Mesh.Internal.", "N1");
    assertEquals("mesh.internal", c.domain());
    assertEquals("n1", c.nodeId());
    assertEquals(60, c.ttlSeconds());
    assertEquals(30, c.negativeTtlSeconds());
    assertEquals(30, c.negativeAnswerTtl());
    assertEquals(1232, c.udpPayloadSize());
    assertEquals(1, c.threads());
    assertEquals(List.of(), c.upstreams());
    assertEquals(10, c.withTtls(10, 30).negativeAnswerTtl(), "min(SOA TTL, minimum)");
  }
}
