package dev.quorumdns.node.api.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.history.ServiceChange;
import java.net.Inet4Address;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A change wakes exactly the blocking reads whose scope covers its service and that wait for a
 * revision before it; the others stay, and a removed read is never woken.
 */
@Timeout(10)
class WaitersTest {
  private static Service service(String ns, String name, long revision) {
    return new Service(
        new ServiceKey(ns, name),
        ServiceSpec.ofPorts(),
        (Inet4Address) IpAddresses.parse("vip4", "240.0.0.1"),
        null,
        revision,
        1);
  }

  private static Waiters.Waiter waiter(Scope scope, long after) {
    return new Waiters.Waiter(scope, after, new CompletableFuture<>());
  }

  @Test
  void aChangeWakesTheReadsItConcernsOnly() {
    Waiters w = new Waiters();
    Waiters.Waiter all = waiter(Scope.ALL, 5);
    Waiters.Waiter nsA = waiter(Scope.namespace("a"), 5);
    Waiters.Waiter nsB = waiter(Scope.namespace("b"), 5);
    Waiters.Waiter aX = waiter(Scope.service(new ServiceKey("a", "x")), 5);
    Waiters.Waiter aY = waiter(Scope.service(new ServiceKey("a", "y")), 5);
    Waiters.Waiter late = waiter(Scope.ALL, 9);
    Waiters.Waiter removed = waiter(Scope.ALL, 5);
    List.of(all, nsA, nsB, aX, aY, late, removed).forEach(w::add);
    w.remove(removed);
    assertEquals(6, w.size());

    w.changed(ServiceChange.put(7, null, service("a", "x", 7), 0));
    assertTrue(all.done().isDone() && nsA.done().isDone() && aX.done().isDone());
    assertFalse(nsB.done().isDone() || aY.done().isDone(), "another namespace, another service");
    assertFalse(late.done().isDone(), "waits for a change after 9");
    assertFalse(removed.done().isDone(), "removed before the change");
    assertEquals(3, w.size());

    w.changed(ServiceChange.delete(10, service("b", "z", 8), 0));
    assertTrue(nsB.done().isDone() && late.done().isDone());
    assertFalse(aY.done().isDone());
    w.wakeAllBefore(11);
    assertTrue(aY.done().isDone(), "a gap in the log wakes everything waiting since before it");
    assertEquals(0, w.size());
  }
}
