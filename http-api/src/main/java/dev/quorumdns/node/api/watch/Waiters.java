package dev.quorumdns.node.api.watch;

import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.history.ServiceChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Blocking reads waiting for a change, indexed by what they cover, so a change wakes only the reads
 * it concerns: those of its service, of its namespace and of everything. Confined to the hub's
 * thread, except {@link #size}, which the metrics scrape reads.
 */
final class Waiters {
  /** One blocking read: wakes on a change in {@code scope} after revision {@code after}. */
  record Waiter(Scope scope, long after, CompletableFuture<Void> done) {}

  private final Map<ServiceKey, Set<Waiter>> byService = new HashMap<>();
  private final Map<String, Set<Waiter>> byNamespace = new HashMap<>();
  private final Set<Waiter> all = new LinkedHashSet<>();
  // Volatile so a scrape sees it; written by the hub's thread only, and before a woken read's
  // future completes, so whoever is answered sees the read counted out already.
  private volatile int size;

  void add(Waiter w) {
    if (set(w.scope(), true).add(w)) {
      size = size + 1;
    }
  }

  void remove(Waiter w) {
    Set<Waiter> s = set(w.scope(), false);
    if (s != null && s.remove(w)) {
      size = size - 1;
      if (s.isEmpty() && s != all) {
        if (w.scope().key() != null) {
          byService.remove(w.scope().key());
        } else {
          byNamespace.remove(w.scope().namespace());
        }
      }
    }
  }

  int size() {
    return size;
  }

  /** Wakes the reads that {@code c} changes the answer of. */
  void changed(ServiceChange c) {
    wake(byService.get(c.key()), c.revision());
    wake(byNamespace.get(c.key().namespace()), c.revision());
    wake(all, c.revision());
  }

  /**
   * Wakes every read waiting since before {@code revision}: changes up to it can no longer be told
   * apart.
   */
  void wakeAllBefore(long revision) {
    List<Set<Waiter>> sets = new ArrayList<>(byService.values());
    sets.addAll(byNamespace.values());
    sets.add(all);
    for (Set<Waiter> s : sets) {
      wake(s, revision);
    }
  }

  private void wake(Set<Waiter> s, long revision) {
    if (s == null || s.isEmpty()) {
      return;
    }
    List<Waiter> woken = new ArrayList<>();
    for (Waiter w : s) {
      if (revision > w.after()) {
        woken.add(w);
      }
    }
    for (Waiter w : woken) {
      remove(w);
      w.done().complete(null);
    }
  }

  private Set<Waiter> set(Scope scope, boolean create) {
    if (scope.key() != null) {
      return create
          ? byService.computeIfAbsent(scope.key(), k -> new LinkedHashSet<>())
          : byService.get(scope.key());
    }
    if (scope.namespace() != null) {
      return create
          ? byNamespace.computeIfAbsent(scope.namespace(), k -> new LinkedHashSet<>())
          : byNamespace.get(scope.namespace());
    }
    return all;
  }
}
