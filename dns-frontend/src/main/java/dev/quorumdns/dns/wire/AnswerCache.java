package dev.quorumdns.dns.wire;

import dev.quorumdns.dns.lookup.Lookup;
import dev.quorumdns.registry.RegistryView;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;

/**
 * Wire-form answers, so a repeated question is answered by copying bytes and patching the id, two flag bits
 * and the question's letter case. Entries are checked against the registry on every hit ({@link
 * Lookup.Freshness}: the same service object for positive answers, the same revision for answers carrying the
 * SOA serial), so a write is never answered from a stale entry. Bounded: cleared when full. Thread-safe.
 */
final class AnswerCache {
  static final int MAX_ENTRIES = 200_000;

  /**
   * What makes two questions share an answer.
   *
   * @param ednsMode 0 without EDNS, 1 with EDNS, 2 with EDNS and NSID requested
   * @param maxSize  the largest answer the client can take
   */
  record Key(Name name, int type, int ednsMode, int maxSize) {}

  /** An answer with id 0, RD and CD clear, the question in lower case. */
  record Entry(byte[] wire, int rcode, Lookup.Freshness freshness) {}

  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

  Entry get(Key key, RegistryView view) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (!e.freshness().fresh(view)) {
      entries.remove(key, e);
      return null;
    }
    return e;
  }

  void put(Key key, Entry e) {
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(key, e);
  }

  int size() {
    return entries.size();
  }
}
