package dev.quorumdns.dns.wire;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.dns.lookup.Validity;
import dev.quorumdns.registry.RegistryView;
import io.netty.buffer.Unpooled;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * A flood of random names (each asked once, as in a random-subdomain attack) must not push the
 * popular answers out of a full cache: the popular names keep hitting while many times the cache's
 * size in random names go through.
 */
class AnswerCacheEvictionTest {
  private static final long SEED = Long.getLong("quorumdns.seed", System.nanoTime());
  private static final Validity ALWAYS = view -> true;
  // The cache asks only whether the replica is loaded; nothing else of the view is read here.
  private static final RegistryView LOADED =
      (RegistryView)
          Proxy.newProxyInstance(
              RegistryView.class.getClassLoader(),
              new Class<?>[] {RegistryView.class},
              (proxy, method, args) -> {
                if (method.getName().equals("isLoaded")) {
                  return true;
                }
                throw new UnsupportedOperationException(method.getName());
              });
  private static final int CAPACITY = 1000;
  private static final int HOT = 100;

  private static byte[] query(String name) {
    return Message.newQuery(Record.newRecord(Name.fromConstantString(name), Type.A, DClass.IN))
        .toWire();
  }

  /**
   * Asks like the handler does: a hit, or a miss that is then answered and cached. True on a hit.
   */
  private static boolean ask(AnswerCache cache, byte[] q) {
    QueryKey key = QueryKey.parse(Unpooled.wrappedBuffer(q), false, 1232);
    assertNotNull(key);
    if (cache.get(key, LOADED) != null) {
      return true;
    }
    cache.put(key, q, 0, ALWAYS);
    return false;
  }

  @Test
  void popularNamesKeepHittingThroughARandomNameFlood() {
    AnswerCache cache = new AnswerCache(CAPACITY);
    SplittableRandom r = new SplittableRandom(SEED);
    List<byte[]> hot = new ArrayList<>();
    for (int i = 0; i < HOT; i++) {
      hot.add(query("svc" + i + ".prod.mesh.internal."));
    }
    int asked = 0;
    int hits = 0;
    for (int round = 0; round < 30; round++) {
      for (byte[] q : hot) {
        boolean hit = ask(cache, q);
        if (round >= 5) {
          asked++;
          hits += hit ? 1 : 0;
        }
      }
      // Twice the cache's size in names never asked before, between two rounds of popular
      // questions.
      for (int i = 0; i < 2 * CAPACITY; i++) {
        ask(cache, query("r" + Long.toHexString(r.nextLong()) + ".prod.mesh.internal."));
      }
    }
    assertTrue(
        hits >= asked * 0.95,
        "popular names answered from the cache "
            + hits
            + " of "
            + asked
            + " times through the flood (seed "
            + SEED
            + ")");
    assertTrue(cache.size() <= CAPACITY, "bounded: " + cache.size());
  }
}
