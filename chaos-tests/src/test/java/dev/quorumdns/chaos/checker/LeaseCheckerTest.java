package dev.quorumdns.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quorumdns.chaos.history.FaultKind;
import dev.quorumdns.chaos.history.Op;
import dev.quorumdns.chaos.history.OpKind;
import dev.quorumdns.chaos.history.OpType;
import dev.quorumdns.chaos.history.RegistryEntry;
import dev.quorumdns.chaos.history.TestHistory;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LeaseCheckerTest {
  private static final String SVC = "lease/l1";
  private static final String WITH = "10.8.0.1:8080,10.9.0.1:80";
  private static final String WITHOUT = "10.9.0.1:80";

  private final TestHistory h = new TestHistory();

  private void grant(String id, long ttlMillis) {
    Op g = h.invoke(7, OpKind.LEASE_GRANT, "n1", null, Long.toString(ttlMillis));
    h.ok(g, id, null, "granted");
    Op r = h.invoke(7, OpKind.LEASE_REGISTER, "n1", SVC, id);
    h.ok(r, id, "240.0.0.9", "registered");
  }

  private void keepalive(String id, String result) {
    Op k = h.invoke(7, OpKind.LEASE_KEEPALIVE, "n2", SVC, id);
    if (result == null) {
      h.fail(k, "no_quorum");
    } else {
      h.ok(k, id, null, result);
    }
  }

  private void finalRead(String spec) {
    h.readAll(
        1_000_000, "n1", 40, new TreeMap<>(Map.of(SVC, new RegistryEntry("240.0.0.9", spec))));
  }

  private CheckResult check() {
    return new LeaseChecker(Duration.ofSeconds(3)).check(h.history());
  }

  private void every(Duration d, int times, String id, String result) {
    for (int i = 0; i < times; i++) {
      h.advance(d);
      keepalive(id, result);
    }
  }

  @Test
  void aRenewedLeaseKeepsItsEndpoint() {
    grant("a", 5000);
    every(Duration.ofMillis(1600), 10, "a", "renewed");
    finalRead(WITH);
    CheckResult r = check();
    assertEquals(Validity.VALID, r.validity(), r::toString);
    assertEquals(1L, r.stats().get("renewed-through-final-reads"));
  }

  @Test
  void aRenewedLeaseThatExpiresIsCaught() {
    grant("a", 5000);
    every(Duration.ofMillis(1600), 3, "a", "renewed");
    every(Duration.ofMillis(1600), 1, "a", "not_found");
    CheckResult r = check();
    assertEquals(Validity.INVALID, r.validity(), r::toString);
    assertEquals(Map.of("lease-expired-early", 1L), WatchCheckerTest.types(r));
  }

  @Test
  void aRenewedLeaseWhoseEndpointLeavesTheFinalReadIsCaught() {
    grant("a", 5000);
    every(Duration.ofMillis(1600), 3, "a", "renewed");
    finalRead(WITHOUT);
    assertEquals(Validity.INVALID, check().validity());
  }

  @Test
  void aLeaseWhoseKeepalivesFailedMayExpire() {
    grant("a", 5000);
    every(Duration.ofMillis(1600), 2, "a", "renewed");
    every(Duration.ofMillis(1600), 4, "a", null); // quorum lost: 503
    every(Duration.ofMillis(1600), 1, "a", "not_found");
    finalRead(WITHOUT);
    CheckResult r = check();
    assertEquals(Validity.VALID, r.validity(), r::toString);
  }

  @Test
  void anAbandonedLeaseStillInTheFinalReadIsCaught() {
    grant("a", 5000);
    h.record(
        new Op(
            0,
            OpType.INFO,
            7,
            OpKind.LEASE_ABANDON,
            null,
            SVC,
            "a",
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            0));
    h.advance(Duration.ofSeconds(20));
    finalRead(WITH);
    CheckResult r = check();
    assertEquals(Map.of("lease-not-expired", 1L), WatchCheckerTest.types(r), r::toString);
  }

  @Test
  void anAbandonedLeaseFoundLongAfterItsTtlWithoutFaultsIsCaught() {
    grant("a", 5000);
    h.record(
        new Op(
            0,
            OpType.INFO,
            7,
            OpKind.LEASE_ABANDON,
            null,
            SVC,
            "a",
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            0));
    h.advance(Duration.ofSeconds(9));
    h.ok(h.invoke(7, OpKind.LEASE_READ, "n1", SVC, "a"), "a", null, "found");
    CheckResult r = check();
    assertEquals(Map.of("lease-outlived-ttl", 1L), WatchCheckerTest.types(r), r::toString);
  }

  @Test
  void aFaultExcusesALateExpiryButNotTheFinalRead() {
    grant("a", 5000);
    h.record(
        new Op(
            0,
            OpType.INFO,
            7,
            OpKind.LEASE_ABANDON,
            null,
            SVC,
            "a",
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            0));
    String f = h.fault(FaultKind.KILL_RANDOM, "n1");
    h.advance(Duration.ofSeconds(9));
    h.ok(h.invoke(7, OpKind.LEASE_READ, "n1", SVC, "a"), "a", null, "found");
    h.heal(f, FaultKind.KILL_RANDOM, "n1");
    h.advance(Duration.ofSeconds(5));
    h.ok(h.invoke(7, OpKind.LEASE_READ, "n1", SVC, "a"), "a", null, "not_found");
    finalRead(WITHOUT);
    CheckResult r = check();
    assertEquals(Validity.VALID, r.validity(), r::toString);
  }

  @Test
  void theServiceStaysWhenItsLeaseEnds() {
    grant("a", 5000);
    Op v = h.invoke(7, OpKind.LEASE_REVOKE, "n1", SVC, "a");
    h.ok(v, "a", null, "revoked");
    h.ok(h.invoke(7, OpKind.LEASE_READ, "n1", SVC, "a"), "a", null, "found");
    h.readAll(1_000_000, "n1", 40, new TreeMap<>());
    CheckResult r = check();
    assertEquals(
        Map.of("lease-revoked-alive", 1L, "lease-service-lost", 1L),
        WatchCheckerTest.types(r),
        r::toString);
  }
}
