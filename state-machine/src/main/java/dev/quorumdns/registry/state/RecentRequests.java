package dev.quorumdns.registry.state;

import dev.quorumdns.registry.store.RequestChanges;
import dev.quorumdns.registry.store.RocksDbRegistryStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests applied within the last {@link #WINDOW_MILLIS} of log time, with their outcomes. An
 * entry whose request was already applied is a retry of the same write: it is not applied again and
 * answers the first outcome. Raft's own retry cache lives in one server's memory and misses a retry
 * that reaches a leader which restarted or installed a snapshot since the first attempt was
 * applied; this memory is stored with every entry (and so in snapshots), so every replica decides
 * the same way for the same entry.
 *
 * <p>Apply thread only.
 */
final class RecentRequests {
  /**
   * How long, in log time, a request is remembered: far longer than any write waits for its
   * outcome.
   */
  static final long WINDOW_MILLIS = 120_000;

  private record Seen(long timeMillis, byte[] outcome) {}

  /** In the order they were applied, so by log time: the expired ones come first. */
  private final LinkedHashMap<RequestId, Seen> seen = new LinkedHashMap<>();

  /** The requests remembered in {@code store}. */
  static RecentRequests load(RocksDbRegistryStore store) throws IOException {
    List<Map.Entry<RequestId, Seen>> all = new ArrayList<>();
    store.loadRequests(
        (k, v) -> {
          if (k.length != RequestId.BYTES) {
            throw new IOException(
                "a remembered request's key has "
                    + k.length
                    + " bytes (expected "
                    + RequestId.BYTES
                    + ")");
          }
          if (v.length < Long.BYTES) {
            throw new IOException(
                "a remembered request's value has "
                    + v.length
                    + " bytes (expected at least "
                    + Long.BYTES
                    + ")");
          }
          all.add(
              Map.entry(
                  RequestId.decode(k),
                  new Seen(
                      ByteBuffer.wrap(v).getLong(), Arrays.copyOfRange(v, Long.BYTES, v.length))));
        });
    all.sort(Comparator.comparingLong(e -> e.getValue().timeMillis()));
    RecentRequests r = new RecentRequests();
    all.forEach(e -> r.seen.put(e.getKey(), e.getValue()));
    return r;
  }

  int size() {
    return seen.size();
  }

  /**
   * The encoded outcome of {@code id} if it was applied less than the window before {@code now},
   * else null.
   */
  byte[] outcomeOf(RequestId id, long now) {
    Seen s = id == null ? null : seen.get(id);
    return s != null && now - s.timeMillis() < WINDOW_MILLIS ? s.outcome() : null;
  }

  /**
   * What to store with an entry applied at {@code now}: {@code id} (if not null) and the expired
   * ones gone.
   */
  RequestChanges stage(RequestId id, byte[] outcome, long now) {
    List<byte[]> expired = new ArrayList<>();
    for (Map.Entry<RequestId, Seen> e : seen.entrySet()) {
      if (now - e.getValue().timeMillis() < WINDOW_MILLIS) {
        break;
      }
      expired.add(e.getKey().encode());
    }
    if (id == null) {
      return new RequestChanges(null, null, expired);
    }
    byte[] value =
        ByteBuffer.allocate(Long.BYTES + outcome.length).putLong(now).put(outcome).array();
    return new RequestChanges(id.encode(), value, expired);
  }

  /** Takes in what {@link #stage} staged, once it is stored. */
  void commit(RequestId id, byte[] outcome, long now) {
    for (Iterator<Seen> it = seen.values().iterator(); it.hasNext(); ) {
      if (now - it.next().timeMillis() < WINDOW_MILLIS) {
        break;
      }
      it.remove();
    }
    if (id != null) {
      seen.remove(id);
      seen.put(id, new Seen(now, outcome));
    }
  }
}
