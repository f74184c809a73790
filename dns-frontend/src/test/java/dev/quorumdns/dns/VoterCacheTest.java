package dev.quorumdns.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.dns.DnsMetrics.Transport;
import dev.quorumdns.dns.lookup.Resolver;
import dev.quorumdns.dns.wire.QueryHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Cached answers that depend on the voters (NS, and the zone apex's glue) are dropped when the
 * voters change and kept when the same voters are learnt again: the membership path may hand over
 * an equal set in a new object, which must not throw the cache away.
 */
class VoterCacheTest {
  @TempDir Path dir;

  private static Message ask(QueryHandler h) throws Exception {
    AtomicReference<byte[]> out = new AtomicReference<>();
    h.handle(DnsFixture.query("mesh.internal.", Type.NS, 7), Transport.UDP, out::set);
    return new Message(out.get());
  }

  @Test
  void anEqualVoterSetKeepsTheCachedNsAnswerAndAChangedOneReplacesIt() throws Exception {
    try (DnsFixture fx = new DnsFixture(dir, 0)) {
      DnsMetrics metrics = new DnsMetrics(new SimpleMeterRegistry());
      QueryHandler h = new QueryHandler(new Resolver(fx.config, fx.registry.view()), metrics);
      assertEquals(2, ask(h).getSection(Section.ANSWER).size());
      assertEquals(2, ask(h).getSection(Section.ANSWER).size());
      double hits = metrics.cacheHitCount();
      assertEquals(1, hits, "the second NS query came from the cache");

      fx.registry.setVoters(new HashSet<>(List.of("n2", "n1")));
      assertEquals(2, ask(h).getSection(Section.ANSWER).size());
      assertEquals(
          hits + 1, metrics.cacheHitCount(), "the same voters again keep the cached answer");

      fx.registry.setVoters(Set.of("n1", "n2", "n3"));
      assertEquals(3, ask(h).getSection(Section.ANSWER).size(), "a new voter is in NS at once");
      assertEquals(hits + 1, metrics.cacheHitCount(), "a voter change is a cache miss");
    }
  }
}
