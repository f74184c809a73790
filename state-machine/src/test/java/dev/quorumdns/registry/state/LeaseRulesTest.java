package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.history.ServiceChange;
import dev.quorumdns.registry.store.StoredMeta;
import dev.quorumdns.registry.testing.TestRegistries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases and endpoint health in apply: what a grant, an endpoint with a lease, a revocation, an
 * expiry and a health change do to the replicated state, that they survive restarts and snapshots,
 * and what is refused.
 */
class LeaseRulesTest {
  private static final ClusterSettings SETTINGS =
      TestRegistries.settings("240.0.0.0/24", "fd00::/120", 60_000);
  private static final ServiceKey WEB = new ServiceKey("shop", "web");
  private static final ServiceKey API = new ServiceKey("shop", "api");
  private static final long L1 = 0x1111L;
  private static final long L2 = 0x2222L;

  @TempDir Path dir;
  private Registry r;

  @BeforeEach
  void open() {
    r = TestRegistries.open(dir, SETTINGS);
  }

  @AfterEach
  void close() {
    r.close();
  }

  private static Endpoint endpoint(String address, Long lease) {
    return new Endpoint(address, 8080, null, Health.PASSING, lease);
  }

  private static ServiceSpec spec(Endpoint... endpoints) {
    return new ServiceSpec(
        List.of(new ServicePort("http", Protocol.TCP, 80)),
        List.of(endpoints),
        Map.of("team", "shop"),
        null,
        null);
  }

  private Outcome apply(Command c) {
    return TestRegistries.apply(r, c);
  }

  private Outcome apply(Command c, long time) {
    return TestRegistries.apply(r, c, time);
  }

  @Test
  void aRevokedLeaseTakesItsEndpointsAndNothingElse() {
    Lease granted =
        ((Outcome.LeaseGranted) apply(new Command.GrantLease(L1, 15_000), TestRegistries.T0 + 5))
            .lease();
    assertEquals(
        new Lease(L1, 15_000, TestRegistries.T0 + 5), granted, "granted at the entry's log time");
    apply(new Command.GrantLease(L2, 15_000));
    Service web =
        TestRegistries.register(
            r,
            WEB.namespace(),
            WEB.name(),
            spec(endpoint("10.0.0.1", L1), endpoint("10.0.0.2", L2), endpoint("10.0.0.3", null)));
    Service api =
        TestRegistries.register(r, API.namespace(), API.name(), spec(endpoint("10.0.1.1", L1)));

    Outcome o = apply(new Command.RevokeLease(L1));
    long index = r.meta().appliedIndex();
    assertEquals(new Outcome.LeasesEnded(List.of(granted), List.of(API, WEB)), o);
    assertNull(r.lease(L1));
    assertNotNull(r.lease(L2));
    Service webAfter = r.view().get(WEB);
    assertEquals(
        List.of(endpoint("10.0.0.2", L2), endpoint("10.0.0.3", null)), webAfter.spec().endpoints());
    assertEquals(web.vip4(), webAfter.vip4(), "the service keeps its VIP");
    assertEquals(web.vip6(), webAfter.vip6());
    assertEquals(web.spec().ports(), webAfter.spec().ports());
    assertEquals(web.spec().labels(), webAfter.spec().labels());
    assertEquals(index, webAfter.revision(), "a change of the service, at the revocation's index");
    assertEquals(web.createRevision(), webAfter.createRevision());
    Service apiAfter = r.view().get(API);
    assertEquals(List.of(), apiAfter.spec().endpoints(), "the service stays, without endpoints");
    assertEquals(api.vip4(), apiAfter.vip4());
    assertEquals(index, r.view().revision());

    assertEquals(
        new Outcome.LeaseNotFound(L1), apply(new Command.RevokeLease(L1)), "revoked once only");
  }

  @Test
  void anExpiryEndsEachNamedLeaseThatExistsAndSkipsTheRest() {
    Lease l1 = ((Outcome.LeaseGranted) apply(new Command.GrantLease(L1, 5_000))).lease();
    Lease l2 = ((Outcome.LeaseGranted) apply(new Command.GrantLease(L2, 5_000))).lease();
    TestRegistries.register(
        r, WEB.namespace(), WEB.name(), spec(endpoint("10.0.0.1", L1), endpoint("10.0.0.2", L2)));
    Outcome o = apply(new Command.ExpireLeases(List.of(L2, 0x9999L, L1, L2)));
    assertEquals(new Outcome.LeasesEnded(List.of(l2, l1), List.of(WEB)), o);
    assertEquals(List.of(), r.view().get(WEB).spec().endpoints());
    assertEquals(
        new Outcome.LeasesEnded(List.of(), List.of()),
        apply(new Command.ExpireLeases(List.of(L1))),
        "an expiry proposed twice finds nothing the second time");
  }

  /**
   * A leader deposed while paused decides on resuming that every lease ran out, and its proposal
   * travels on to the new leader like any write: appended in another term, it ends nothing, while
   * the new leader's own expiry (its term) and an unfenced one from before the term was carried do.
   */
  @Test
  void anExpiryDecidedInAnotherTermThanItsEntryEndsNothing() {
    Lease l1 = ((Outcome.LeaseGranted) apply(new Command.GrantLease(L1, 5_000))).lease();
    Lease l2 = ((Outcome.LeaseGranted) apply(new Command.GrantLease(L2, 5_000))).lease();
    TestRegistries.register(r, WEB.namespace(), WEB.name(), spec(endpoint("10.0.0.1", L1)));
    long revision = r.view().revision();

    assertEquals(
        new Outcome.LeasesEnded(List.of(), List.of()),
        TestRegistries.applyInTerm(
            r, 31, new Command.ExpireLeases(List.of(L1), 30), TestRegistries.T0));
    assertEquals(l1, r.lease(L1), "the deposed leader's decision ended nothing");
    assertEquals(1, r.view().get(WEB).spec().endpoints().size());
    assertEquals(revision, r.view().revision(), "nothing changed");

    assertEquals(
        new Outcome.LeasesEnded(List.of(l1), List.of(WEB)),
        TestRegistries.applyInTerm(
            r, 31, new Command.ExpireLeases(List.of(L1), 31), TestRegistries.T0));
    assertEquals(
        new Outcome.LeasesEnded(List.of(l2), List.of()),
        TestRegistries.applyInTerm(r, 32, new Command.ExpireLeases(List.of(L2)), TestRegistries.T0),
        "an expiry without a term (written before it was carried) is not fenced");
  }

  @Test
  void aGrantChangesNoRevisionAndAnExpiryIsInTheChangeLog() throws IOException {
    Service web =
        TestRegistries.register(r, WEB.namespace(), WEB.name(), spec(endpoint("10.0.0.9", null)));
    long revision = r.view().revision();
    apply(new Command.GrantLease(L1, 5_000));
    assertEquals(
        revision, r.view().revision(), "no record anyone is served changed: the SOA serial stays");
    Service withLease =
        TestRegistries.register(
            r,
            WEB.namespace(),
            WEB.name(),
            spec(endpoint("10.0.0.9", null), endpoint("10.0.0.1", L1)));
    apply(new Command.ExpireLeases(List.of(L1)));
    Service after = r.view().get(WEB);
    assertEquals(web.spec(), after.spec());
    try (var snapshot = r.snapshot();
        var cursor = snapshot.changesAfter(withLease.revision())) {
      List<ServiceChange> changes = new ArrayList<>();
      cursor.forEachRemaining(changes::add);
      assertEquals(
          List.of(ServiceChange.put(after.revision(), withLease, after, TestRegistries.T0)),
          changes,
          "watchers see the endpoint leave as a change of the service");
    }
  }

  @Test
  void anEndpointNamingNoLeaseIsRefusedNamingItAndNothingChanges() {
    apply(new Command.GrantLease(L1, 5_000));
    StoredMeta before = r.meta();
    Outcome o =
        apply(
            new Command.UpsertService(
                WEB, spec(endpoint("10.0.0.1", L1), endpoint("10.0.0.2", L2))));
    assertEquals(
        new Outcome.Invalid(
            "endpoints[1].lease", "no lease 0000000000002222 (never granted, revoked or expired)"),
        o);
    assertNull(r.view().get(WEB));
    assertEquals(before.revision(), r.meta().revision());

    apply(new Command.RevokeLease(L1));
    assertInstanceOf(
        Outcome.Invalid.class,
        apply(new Command.UpsertService(WEB, spec(endpoint("10.0.0.1", L1)))),
        "a revoked lease cannot be named again");
  }

  @Test
  void aGrantOfAnIdInUseIsAConflictOnTheId() {
    Lease first = ((Outcome.LeaseGranted) apply(new Command.GrantLease(L1, 5_000))).lease();
    Outcome o = apply(new Command.GrantLease(L1, 60_000));
    assertEquals("id", ((Outcome.Conflict) o).field());
    assertEquals(first, r.lease(L1), "the first grant stands");
  }

  @Test
  void inOneGroupALeaseSeesTheEndpointsStagedBeforeIt() {
    apply(new Command.GrantLease(L1, 5_000));
    Outcome o =
        apply(
            new Command.Group(
                List.of(
                    new Command.UpsertService(WEB, spec(endpoint("10.0.0.1", L1))),
                    new Command.UpsertService(API, spec(endpoint("10.0.1.1", L1))),
                    new Command.UpsertService(API, spec(endpoint("10.0.1.1", null))),
                    new Command.ExpireLeases(List.of(L1)),
                    new Command.UpsertService(
                        new ServiceKey("shop", "late"), spec(endpoint("10.0.2.1", L1))))));
    List<Outcome> outcomes = ((Outcome.GroupApplied) o).outcomes();
    assertEquals(
        List.of(WEB),
        ((Outcome.LeasesEnded) outcomes.get(3)).services(),
        "web got an endpoint with the lease earlier in the group; api's was replaced by one without");
    assertEquals(List.of(), r.view().get(WEB).spec().endpoints());
    assertEquals(List.of(endpoint("10.0.1.1", null)), r.view().get(API).spec().endpoints());
    assertInstanceOf(
        Outcome.Invalid.class, outcomes.get(4), "the lease is gone for what comes after");
  }

  @Test
  void leasesAndTheirEndpointsSurviveRestartsAndSnapshots() throws IOException {
    Lease l1 = ((Outcome.LeaseGranted) apply(new Command.GrantLease(L1, 5_000))).lease();
    TestRegistries.register(
        r, WEB.namespace(), WEB.name(), spec(endpoint("10.0.0.1", L1), endpoint("10.0.0.2", null)));
    r.close();
    r = TestRegistries.load(dir);
    assertEquals(List.of(l1), r.leases());
    r.checkpoint(dir.resolve("cp"));
    Registry other = TestRegistries.open(dir.resolve("other"), SETTINGS);
    other.restore(dir.resolve("cp"));
    for (Registry replica : List.of(r, other)) {
      assertEquals(List.of(l1), replica.leases());
      // The index of which services hold the lease is rebuilt from the stored services.
      assertEquals(
          List.of(WEB),
          ((Outcome.LeasesEnded)
                  TestRegistries.apply(replica, new Command.ExpireLeases(List.of(L1))))
              .services());
      assertEquals(List.of(endpoint("10.0.0.2", null)), replica.view().get(WEB).spec().endpoints());
    }
    other.close();
  }

  @Test
  void healthIsSetOnEveryEndpointOfThatAddressAndPort() throws IOException {
    Service web =
        TestRegistries.register(
            r,
            WEB.namespace(),
            WEB.name(),
            spec(
                endpoint("10.0.0.1", null),
                new Endpoint("10.0.0.1", null, null),
                endpoint("fd00::1", null)));
    Outcome o = apply(new Command.SetEndpointHealth(WEB, "FD00:0::1", 8080, Health.CRITICAL));
    Outcome.Written w = (Outcome.Written) o;
    assertEquals(
        List.of(
            endpoint("10.0.0.1", null),
            new Endpoint("10.0.0.1", null, null),
            endpoint("fd00::1", null).withHealth(Health.CRITICAL)),
        w.service().spec().endpoints());
    assertEquals(r.meta().appliedIndex(), w.service().revision(), "a change of the service");
    assertEquals(web.vip4(), w.service().vip4());
    try (var snapshot = r.snapshot();
        var cursor = snapshot.changesAfter(web.revision())) {
      assertEquals(
          ServiceChange.put(w.service().revision(), web, w.service(), TestRegistries.T0),
          cursor.next(),
          "watchers see the health change in the change log");
    }
    assertEquals(
        new Outcome.Written(w.service(), false, false),
        TestRegistries.timeless(
            apply(new Command.SetEndpointHealth(WEB, "fd00::1", 8080, Health.CRITICAL))),
        "the same again: unchanged");
    Outcome noPort = apply(new Command.SetEndpointHealth(WEB, "10.0.0.1", null, Health.WARNING));
    assertEquals(
        List.of(
            endpoint("10.0.0.1", null),
            new Endpoint("10.0.0.1", null, null, Health.WARNING, null),
            endpoint("fd00::1", null).withHealth(Health.CRITICAL)),
        ((Outcome.Written) noPort).service().spec().endpoints(),
        "no port names the endpoint registered without");

    long revision = r.view().revision();
    assertEquals(
        new Outcome.EndpointNotFound(WEB, "10.0.0.1:9090"),
        apply(new Command.SetEndpointHealth(WEB, "10.0.0.1", 9090, Health.WARNING)));
    assertEquals(
        new Outcome.NotFound(API),
        apply(new Command.SetEndpointHealth(API, "10.0.0.1", 80, Health.WARNING)));
    assertEquals(revision, r.view().revision(), "refusals change nothing");
  }
}
