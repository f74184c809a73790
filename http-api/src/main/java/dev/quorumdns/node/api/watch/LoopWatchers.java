package dev.quorumdns.node.api.watch;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The watchers whose connections live on one event loop. The hub hands each delivery to the loop
 * once; the loop offers it to every watcher with the payload encoded once and shared (a retained
 * duplicate per watcher), so a change costs one copy per loop, not one per watcher. Confined to its
 * loop, except {@link #post}.
 */
final class LoopWatchers {
  private final EventLoop loop;
  private final List<Watcher> watchers = new ArrayList<>();

  LoopWatchers(EventLoop loop) {
    this.loop = loop;
  }

  /** Offers {@code d} to every watcher of this loop, on the loop. Any thread. */
  void post(Delivery d) {
    loop.execute(() -> deliver(d));
  }

  /** Runs {@code task} for every watcher of this loop, on the loop. Any thread. */
  void forEach(Consumer<Watcher> task) {
    loop.execute(() -> List.copyOf(watchers).forEach(task));
  }

  private void deliver(Delivery d) {
    Map<String, ByteBuf> shared = new HashMap<>();
    try {
      // A watcher may drop itself (and leave the list) while offered: iterate over a copy.
      for (Watcher w : watchers.toArray(new Watcher[0])) {
        w.offer(d, shared);
      }
    } finally {
      shared.values().forEach(ByteBuf::release);
    }
  }

  void add(Watcher w) {
    w.slot = watchers.size();
    watchers.add(w);
  }

  /**
   * Removes {@code w} in constant time (the last watcher takes its slot); false if it was not
   * listed.
   */
  boolean remove(Watcher w) {
    int i = w.slot;
    if (i < 0 || i >= watchers.size() || watchers.get(i) != w) {
      return false;
    }
    Watcher last = watchers.remove(watchers.size() - 1);
    if (last != w) {
      watchers.set(i, last);
      last.slot = i;
    }
    w.slot = -1;
    return true;
  }

  int size() {
    return watchers.size();
  }
}
