package dev.quorumdns.dns.wire;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quorumdns.dns.lookup.Validity;
import dev.quorumdns.registry.RegistryView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Wire-form answers keyed by {@link QueryKey}, so a repeated question is answered by copying bytes
 * and patching the id, the RD and CD bits and the question's letter case. Each entry carries the
 * {@link Validity} of the lookup that made it and is checked against the registry on every hit
 * (per-service revision for positive answers, registry revision for negative and SOA answers), so a
 * change is never answered from a stale entry; stale entries are dropped when met.
 *
 * <p>Bounded by entry count with Caffeine's W-TinyLFU policy: a new answer is admitted over an old
 * one only if its question has been asked more often, so a flood of random (mostly nonexistent)
 * names passes through a small admission window and does not push the popular answers out.
 * Maintenance runs on the calling thread (no background executor). Thread-safe; called on
 * event-loop threads.
 */
final class AnswerCache {
  static final int DEFAULT_MAX_ENTRIES = 100_000;

  /** An answer with id 0, RD and CD clear and the question name in lower case. */
  record Entry(byte[] wire, int rcode, boolean truncated, Validity validity) {}

  private final Cache<QueryKey, Entry> entries;

  AnswerCache(int maxEntries) {
    this.entries = Caffeine.newBuilder().maximumSize(maxEntries).executor(Runnable::run).build();
  }

  /**
   * The entry for {@code key} if it is still valid against {@code view}, else null. Nothing is
   * valid while the replica is held ({@link RegistryView#isLoaded} false: starting, or resumed
   * after standing still): its revision has not moved, so every entry would pass, and a cached
   * NXDOMAIN would deny a name registered while it stood still (base chaos run 1319124: a resumed
   * node answered from the cache between its SERVFAILs). The entries stay for after the hold.
   */
  Entry get(QueryKey key, RegistryView view) {
    if (!view.isLoaded()) {
      return null;
    }
    Entry e = entries.getIfPresent(key);
    if (e == null) {
      return null;
    }
    if (!e.validity().stillValid(view)) {
      entries.asMap().remove(key, e);
      return null;
    }
    return e;
  }

  /** Caches {@code answer} (a fresh answer to the query {@code key} was read from), normalised. */
  void put(QueryKey key, byte[] answer, int rcode, Validity validity) {
    byte[] wire = answer.clone();
    wire[0] = 0;
    wire[1] = 0;
    wire[2] &= ~0x01; // RD
    wire[3] &= ~0x10; // CD
    int end = QueryKey.HEADER + key.nameLength;
    for (int i = QueryKey.HEADER; i < end; i++) {
      if (wire[i] >= 'A' && wire[i] <= 'Z') {
        wire[i] += 32;
      }
    }
    entries.put(key, new Entry(wire, rcode, (wire[2] & 0x02) != 0, validity));
  }

  /**
   * {@code e} made the answer to {@code query}: its id, RD and CD bits, and question name bytes.
   */
  static ByteBuf patch(Entry e, ByteBuf query, QueryKey key, ByteBufAllocator alloc) {
    byte[] wire = e.wire();
    int q = query.readerIndex();
    ByteBuf out = alloc.ioBuffer(wire.length);
    out.writeBytes(wire);
    out.setShort(0, query.getShort(q));
    out.setByte(2, (wire[2] & ~0x01) | (query.getByte(q + 2) & 0x01));
    out.setByte(3, (wire[3] & ~0x10) | (query.getByte(q + 3) & 0x10));
    out.setBytes(QueryKey.HEADER, query, q + QueryKey.HEADER, key.nameLength);
    return out;
  }

  /** Entries now, after any pending evictions. */
  long size() {
    entries.cleanUp();
    return entries.estimatedSize();
  }
}
