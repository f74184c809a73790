package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the DNS front end reads: {@link RegistryView} before load, after writes, deletes and node
 * changes.
 */
class RegistryViewTest {
  private static final ClusterSettings SETTINGS =
      TestRegistries.settings("10.0.0.0/24", "fd00:1::/64", 60_000);

  @TempDir Path dir;

  /** Leaves the settings and one service {@code prod/name} in the store, the registry closed. */
  private void storeOneService(String name) {
    Registry writer = TestRegistries.open(dir, SETTINGS);
    TestRegistries.register(writer, "prod", name, ServiceSpec.ofPorts());
    writer.close();
  }

  @Test
  void beforeLoadTheViewIsEmptyAndSaysSo() throws IOException {
    storeOneService("web");
    // The store holds a service and settings; before load() none of it is visible.
    Registry r = new Registry(dir, new SimpleMeterRegistry());
    RegistryView v = r.view();
    assertFalse(v.isLoaded());
    assertEquals(0, v.revision());
    assertEquals(0, v.appliedIndex());
    assertNull(v.get(new ServiceKey("prod", "web")));
    assertFalse(v.hasNamespace("prod"));
    assertNull(v.byVip(IpAddresses.parse("a", "10.0.0.1")));
    assertEquals(List.of(), v.services());
    assertEquals(List.of(), v.services("prod"));
    assertEquals(0, v.size());
    assertNull(v.node("n1"));
    assertTrue(v.nodes().isEmpty());
    assertEquals(Optional.empty(), v.settings());
    assertThrows(IllegalStateException.class, r::meta, "apply-side calls refuse before load");
    r.load();
    assertTrue(v.isLoaded(), "the same view object reports the loaded state");
    assertEquals(Optional.of(SETTINGS), v.settings());
    assertEquals(1, v.size());
    assertTrue(v.hasNamespace("prod"));
    r.close();
  }

  @Test
  void aReplicaThatStartsEmptyIsNotLoadedUntilItReachesItsLeadersCommitIndex() throws IOException {
    // A new member filled from the log: after its first entry it holds only part of the registry
    // and would deny names that later entries create.
    Registry r = TestRegistries.load(dir);
    AtomicLong leaderCommit = new AtomicLong();
    r.holdUntilFilled(leaderCommit::get, Duration.ofMillis(1));
    RegistryView v = r.view();
    TestRegistries.apply(r, new Command.InitCluster(SETTINGS));
    assertFalse(v.isLoaded(), "no leader heard of yet: the target is unknown");
    leaderCommit.set(4);
    TestRegistries.register(r, "prod", "a", ServiceSpec.ofPorts());
    assertFalse(v.isLoaded(), "index 2 of 4");
    leaderCommit.set(100); // the leader moved on; the target was taken when first known
    TestRegistries.register(r, "prod", "b", ServiceSpec.ofPorts());
    assertFalse(v.isLoaded(), "index 3 of 4");
    TestRegistries.register(r, "prod", "c", ServiceSpec.ofPorts());
    assertTrue(v.isLoaded(), "index 4: everything the leader had committed when first heard of");
    leaderCommit.set(1000);
    assertTrue(v.isLoaded(), "once filled, staying behind a moving leader is ordinary lag");
    r.close();
  }

  @Test
  void aReplicaRestartedWithStateIsHeldWhileItCatchesUpButNotForever() throws IOException {
    storeOneService("a");
    Registry r = TestRegistries.load(dir);
    AtomicLong leaderCommit = new AtomicLong(3);
    r.holdUntilFilled(leaderCommit::get, Duration.ofHours(1));
    assertFalse(r.view().isLoaded(), "index 2 of 3: 'b' was registered while this one was down");
    TestRegistries.register(r, "prod", "b", ServiceSpec.ofPorts());
    assertTrue(r.view().isLoaded(), "caught up");
    r.close();

    // No leader to catch up from (quorum lost): after the bound it answers from what it holds.
    Registry alone = TestRegistries.load(dir);
    alone.holdUntilFilled(() -> 0, Duration.ofMillis(50));
    assertFalse(alone.view().isLoaded());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!alone.view().isLoaded() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
    assertTrue(alone.view().isLoaded(), "served after the bound");
    alone.close();
  }

  @Test
  void aRestartedReplicaStaysHeldPastTheBoundWhileALeaderIsInContact() throws IOException {
    // A replica that needs a snapshot hears no commit index until the snapshot is installed.
    storeOneService("a");
    Registry r = TestRegistries.load(dir);
    AtomicBoolean inContact = new AtomicBoolean(true);
    r.holdUntilFilled(() -> 0, inContact::get, Duration.ofMillis(20), Duration.ofHours(1));
    long pastBound = System.nanoTime() + Duration.ofMillis(100).toNanos();
    while (System.nanoTime() - pastBound < 0) {
      assertFalse(r.view().isLoaded(), "a leader is sending it something: still held");
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
    inContact.set(false);
    assertTrue(r.view().isLoaded(), "the leader went quiet: it answers from what it holds");
    r.close();

    // The longer bound ends the hold even while the leader stays in contact.
    Registry stuck = TestRegistries.load(dir);
    stuck.holdUntilFilled(() -> 0, () -> true, Duration.ofMillis(10), Duration.ofMillis(50));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!stuck.view().isLoaded() && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
    assertTrue(stuck.view().isLoaded(), "served after the longer bound");
    stuck.close();
  }

  @Test
  void aHoldAskedForBeforeLoadHoldsTheStateFromTheMomentItIsVisible() throws IOException {
    storeOneService("a");
    // The node asks for the gate before loading, while DNS already runs: asked for after the load,
    // a query in between was answered from the old state, unheld.
    Registry r = new Registry(dir, new SimpleMeterRegistry());
    AtomicLong leaderCommit = new AtomicLong();
    r.holdUntilFilled(leaderCommit::get, Duration.ofHours(1));
    assertFalse(r.view().isLoaded());
    r.load();
    assertFalse(r.view().isLoaded(), "loaded with state, no leader heard of yet: held");
    leaderCommit.set(3);
    assertFalse(r.view().isLoaded(), "index 2 of 3");
    TestRegistries.register(r, "prod", "b", ServiceSpec.ofPorts());
    assertTrue(r.view().isLoaded(), "caught up");
    r.close();
  }

  @Test
  void aStallHoldsTheReplicaUntilNoticedAndAHoldAgainWaitsForAFreshTarget() throws IOException {
    Registry r = TestRegistries.open(dir, SETTINGS);
    TestRegistries.register(r, "prod", "a", ServiceSpec.ofPorts());
    AtomicLong leaderCommit = new AtomicLong(2);
    r.holdUntilFilled(leaderCommit::get, Duration.ofHours(1));
    assertTrue(r.view().isLoaded(), "filled at index 2");
    AtomicBoolean stalled = new AtomicBoolean();
    r.holdWhileStalled(stalled::get);
    assertTrue(r.view().isLoaded());
    stalled.set(true);
    assertFalse(r.view().isLoaded(), "stood still, not noticed yet");
    // Noticed: held again; the leader committed 'b' meanwhile, and until this replica hears of it
    // the target is unknown (0), not the one it was filled to before.
    leaderCommit.set(0);
    r.holdUntilFilled(leaderCommit::get, Duration.ofHours(1));
    stalled.set(false);
    assertFalse(r.view().isLoaded(), "held again: no fresh leader commit index yet");
    leaderCommit.set(3);
    assertFalse(r.view().isLoaded(), "index 2 of 3");
    TestRegistries.register(r, "prod", "b", ServiceSpec.ofPorts());
    assertTrue(r.view().isLoaded(), "caught up again");
    r.close();
  }

  @Test
  void servicesWaitForTheClusterSettings() throws IOException {
    Registry r = TestRegistries.load(dir);
    assertEquals(Optional.empty(), r.view().settings(), "settings come only from InitCluster");
    ServiceKey k = new ServiceKey("prod", "web");
    assertEquals(
        new Outcome.NotInitialized(),
        TestRegistries.apply(r, new Command.UpsertService(k, ServiceSpec.ofPorts())));
    assertEquals(new Outcome.NotFound(k), TestRegistries.apply(r, new Command.DeleteService(k)));
    assertEquals(0, r.view().revision(), "a refusal is no change");
    assertEquals(2, r.view().appliedIndex());
    r.close();
  }

  @Test
  void namespacesAreEmptyNonTerminalsWhileTheyHoldAService() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    RegistryView v = r.view();
    TestRegistries.register(r, "prod", "web", ServiceSpec.ofPorts());
    TestRegistries.register(r, "prod", "api", ServiceSpec.ofPorts());
    TestRegistries.register(r, "dev", "web", ServiceSpec.ofPorts());
    assertTrue(v.hasNamespace("prod"));
    assertTrue(v.hasNamespace("dev"));
    assertFalse(v.hasNamespace("web"), "a service name is not a namespace");
    assertFalse(v.hasNamespace("pro"));
    assertFalse(v.hasNamespace("node"), "node records are not services");
    TestRegistries.deregister(r, "prod", "web");
    assertTrue(v.hasNamespace("prod"), "one service left");
    TestRegistries.deregister(r, "prod", "api");
    assertFalse(v.hasNamespace("prod"), "the last one gone, the namespace is gone");
    TestRegistries.register(r, "prod", "api", ServiceSpec.ofPorts());
    assertTrue(v.hasNamespace("prod"));
    r.close();
  }

  @Test
  void byVipFindsTheOwnerInBothFamilies() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    RegistryView v = r.view();
    Service web = TestRegistries.register(r, "prod", "web", ServiceSpec.ofPorts());
    Service api = TestRegistries.register(r, "prod", "api", ServiceSpec.ofPorts());
    assertNotNull(web.vip6());
    assertEquals(web, v.byVip(web.vip4()));
    assertEquals(web, v.byVip(web.vip6()));
    assertEquals(api, v.byVip(api.vip6()));
    // An address parsed from text (as from a PTR name) finds the same service.
    assertEquals(web, v.byVip(IpAddresses.parse("q", IpAddresses.format(web.vip6()))));
    assertEquals(web, v.byVip(IpAddresses.parse("q", IpAddresses.format(web.vip4()))));
    assertNull(v.byVip(IpAddresses.parse("q", "10.0.0.0")), "the network address is nobody's");
    assertNull(v.byVip(IpAddresses.parse("q", "192.0.2.1")));
    // An update keeps the VIPs and shows the new record under them.
    Service updated =
        TestRegistries.register(
            r, "prod", "web", new ServiceSpec(List.of(), List.of(), Map.of("v", "2"), null, null));
    assertEquals(web.vip4(), updated.vip4());
    assertEquals(updated, v.byVip(web.vip4()));
    assertEquals(updated, v.byVip(web.vip6()));
    TestRegistries.deregister(r, "prod", "web");
    assertNull(v.byVip(web.vip4()));
    assertNull(v.byVip(web.vip6()));
    assertEquals(api, v.byVip(api.vip4()));
    r.close();
  }

  @Test
  void servicesAreListedInKeyOrder() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    RegistryView v = r.view();
    for (String key : List.of("b/z", "a/y", "b/a", "c/x", "a/a")) {
      ServiceKey k = ServiceKey.parse(key);
      TestRegistries.register(r, k.namespace(), k.name(), ServiceSpec.ofPorts());
    }
    assertEquals(
        List.of("a/a", "a/y", "b/a", "b/z", "c/x"),
        v.services().stream().map(s -> s.key().toString()).toList());
    assertEquals(
        List.of("b/a", "b/z"), v.services("b").stream().map(s -> s.key().toString()).toList());
    assertEquals(List.of(), v.services("d"));
    assertEquals(5, v.size());
    assertEquals(v.get(ServiceKey.parse("c/x")), v.services("c").get(0));
    r.close();
  }

  @Test
  void revisionMovesOnlyWithRegistryChanges() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    RegistryView v = r.view();
    Service web = TestRegistries.register(r, "prod", "web", ServiceSpec.ofPorts());
    assertEquals(web.revision(), v.revision());
    assertEquals(web.revision(), v.appliedIndex());
    assertEquals(web.revision(), web.createRevision());
    Outcome same =
        TestRegistries.apply(r, new Command.UpsertService(web.key(), ServiceSpec.ofPorts()));
    assertEquals(
        new Outcome.Written(web, false, false),
        TestRegistries.timeless(same),
        "the same body again changes nothing");
    assertEquals(web.revision(), v.revision());
    assertEquals(web.revision() + 1, v.appliedIndex());
    ServiceSpec changeVip =
        new ServiceSpec(
            List.of(), List.of(), Map.of(), IpAddresses.parse4("vip4", "10.0.0.200"), null);
    assertInstanceOf(
        Outcome.Conflict.class,
        TestRegistries.apply(r, new Command.UpsertService(web.key(), changeVip)));
    assertEquals(web.revision(), v.revision(), "a refusal is no change");
    Service labelled =
        TestRegistries.register(
            r,
            "prod",
            "web",
            new ServiceSpec(List.of(), List.of(), Map.of("a", "b"), web.vip4(), web.vip6()));
    assertEquals(v.appliedIndex(), labelled.revision());
    assertEquals(web.createRevision(), labelled.createRevision());
    assertEquals(labelled.revision(), v.revision());
    r.close();
  }

  @Test
  void nodesVotersAndSettingsAreVisible() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    RegistryView v = r.view();
    assertEquals(Optional.of(SETTINGS), v.settings());
    assertEquals(
        new Outcome.Initialized(SETTINGS, false),
        TestRegistries.apply(r, new Command.InitCluster(ClusterSettings.defaults())),
        "only the first InitCluster counts");
    assertEquals(Optional.of(SETTINGS), v.settings());
    NodeRecord n1 = new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 9053, 8053, 53535);
    NodeRecord n2 = new NodeRecord("n2", IpAddresses.parse("a", "fd00::12"), 9053, 8053, 53535);
    assertEquals(
        new Outcome.NodeWritten(n1, true), TestRegistries.apply(r, new Command.PutNode(n1)));
    assertEquals(
        new Outcome.NodeWritten(n1, false), TestRegistries.apply(r, new Command.PutNode(n1)));
    TestRegistries.apply(r, new Command.PutNode(n2));
    assertEquals(n2, v.node("n2"));
    assertEquals(Set.of(n1, n2), Set.copyOf(v.nodes()));
    assertEquals(
        new Outcome.NodeRemoved("n1", true), TestRegistries.apply(r, new Command.RemoveNode("n1")));
    assertEquals(
        new Outcome.NodeRemoved("n1", false),
        TestRegistries.apply(r, new Command.RemoveNode("n1")));
    assertNull(v.node("n1"));
    assertEquals(Set.of(n2), Set.copyOf(v.nodes()));
    assertEquals(Set.of(), v.voters());
    r.setVoters(Set.of("n1", "n2"));
    assertEquals(Set.of("n1", "n2"), v.voters());
    r.close();
  }
}
