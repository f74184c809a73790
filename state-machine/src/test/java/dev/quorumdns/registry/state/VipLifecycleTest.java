package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VIP rules of docs/architecture.md as worked examples, one rule per test, on a real registry.
 */
class VipLifecycleTest {
  private static final long HOLD = 60_000;
  private static final long T0 = TestRegistries.T0;
  private static final ClusterSettings SETTINGS =
      TestRegistries.settings("10.0.0.0/29", "fd00::/125", HOLD);

  @TempDir Path dir;

  private static ServiceSpec asking(Inet4Address vip4, Inet6Address vip6) {
    return new ServiceSpec(List.of(), List.of(), Map.of(), vip4, vip6);
  }

  private static Command upsert(String name, ServiceSpec spec) {
    return new Command.UpsertService(new ServiceKey("p", name), spec);
  }

  private static Command delete(String name) {
    return new Command.DeleteService(new ServiceKey("p", name));
  }

  @Test
  void aHeldVipGoesOnlyToItsOwnerUntilTheHoldRunsOut() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service a = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    TestRegistries.apply(r, delete("a"), T0 + 1_000); // held until T0 + 61 000
    ServiceSpec grab = asking(a.vip4(), null);
    Outcome o = TestRegistries.apply(r, upsert("b", grab), T0 + 1_000 + HOLD - 1);
    Outcome.Conflict c = assertInstanceOf(Outcome.Conflict.class, o);
    assertEquals("vip4", c.field());
    assertEquals(
        IpAddresses.format(a.vip4())
            + " was released by p/a and is held down for it until "
            + java.time.Instant.ofEpochMilli(T0 + 1_000 + HOLD),
        c.message());
    ServiceSpec grab6 = asking(null, a.vip6());
    assertInstanceOf(
        Outcome.Conflict.class, TestRegistries.apply(r, upsert("b", grab6), T0 + 1_000 + HOLD - 1));
    assertNull(r.view().get(new ServiceKey("p", "b")), "refused: nothing changed");
    // At the expiry instant the hold no longer binds.
    Outcome.Written w =
        assertInstanceOf(
            Outcome.Written.class, TestRegistries.apply(r, upsert("b", grab), T0 + 1_000 + HOLD));
    assertEquals(a.vip4(), w.service().vip4());
    r.close();
  }

  @Test
  void probingSkipsHeldVipsAndTheOwnerGetsItsOwnBack() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service a = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    TestRegistries.apply(r, delete("a"));
    // Fill the rest of the /29 (6 usable addresses; one is held for a).
    for (String n : List.of("b", "c", "d", "e", "f")) {
      Service s = TestRegistries.register(r, "p", n, ServiceSpec.ofPorts());
      assertNotEquals(a.vip4(), s.vip4(), n + " must not get a's held VIP");
      assertNotEquals(a.vip6(), s.vip6(), n + " must not get a's held VIP");
    }
    long revision = r.view().revision();
    List<Service> before = r.view().services();
    Outcome full = TestRegistries.apply(r, upsert("g", ServiceSpec.ofPorts()));
    assertEquals(
        new Outcome.PoolExhausted("vip4", "10.0.0.0/29"), full, "the held address is not free");
    assertEquals(before, r.view().services());
    assertEquals(revision, r.view().revision());
    Service back = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    assertEquals(a.vip4(), back.vip4(), "the previous owner takes its VIP back");
    assertEquals(a.vip6(), back.vip6());
    assertEquals(back.revision(), back.createRevision(), "it is a new registration");
    r.close();
  }

  @Test
  void afterExpiryANameWithoutCollisionGetsTheSameVipFromItsHash() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service a = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    TestRegistries.apply(r, delete("a"));
    TestRegistries.apply(
        r, delete("nobody"), T0 + HOLD + 1); // log time moves on; the hold runs out
    Outcome.Written again =
        assertInstanceOf(
            Outcome.Written.class,
            TestRegistries.apply(r, upsert("a", ServiceSpec.ofPorts()), T0 + 2 * HOLD));
    assertEquals(a.vip4(), again.service().vip4());
    assertEquals(a.vip6(), again.service().vip6());
    var pool = SETTINGS.vip4Pool();
    long off = pool.preferredOffset(a.key());
    while (!pool.usable(off)) {
      off = pool.next(off);
    }
    assertEquals(
        pool.addressAt(off),
        a.vip4(),
        "an empty pool hands out the first usable address from the hash");
    r.close();
  }

  @Test
  void aVipNeverChangesWhileItsNameIsRegistered() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service a = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    Inet4Address other =
        (Inet4Address)
            SETTINGS.vip4Pool().addressAt(SETTINGS.vip4Pool().offsetOf(a.vip4()) % 6 + 1);
    assertNotEquals(a.vip4(), other);
    Outcome o = TestRegistries.apply(r, upsert("a", asking(other, null)));
    assertEquals(
        new Outcome.Conflict(
            "vip4",
            "the service holds "
                + IpAddresses.format(a.vip4())
                + "; a VIP never changes while its name is registered (delete it first)"),
        o);
    Service same =
        TestRegistries.register(
            r,
            "p",
            "a",
            new ServiceSpec(List.of(), List.of(), Map.of("k", "v"), a.vip4(), a.vip6()));
    assertEquals(a.vip4(), same.vip4(), "asking for the VIP it has is fine");
    assertEquals(a.vip6(), same.vip6());
    r.close();
  }

  @Test
  void aRefusedBatchChangesNothingAndAGroupKeepsWhatWasNotRefused() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service a = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    List<Service> before = r.view().services();
    long revision = r.view().revision();
    Command batch =
        new Command.Batch(
            List.of(
                upsert("b", ServiceSpec.ofPorts()),
                delete("a"),
                upsert(
                    "c",
                    asking(
                        a.vip4(),
                        null)))); // a's VIP is held for a, even inside the batch that deleted it
    Outcome.BatchRefused refused =
        assertInstanceOf(Outcome.BatchRefused.class, TestRegistries.apply(r, batch));
    assertEquals(2, refused.index());
    assertInstanceOf(Outcome.Conflict.class, refused.cause());
    assertEquals(before, r.view().services());
    assertEquals(revision, r.view().revision());

    Command group =
        new Command.Group(List.of(batch, upsert("d", ServiceSpec.ofPorts()), delete("zz")));
    Outcome.GroupApplied g =
        assertInstanceOf(Outcome.GroupApplied.class, TestRegistries.apply(r, group));
    assertInstanceOf(Outcome.BatchRefused.class, g.outcomes().get(0));
    assertInstanceOf(Outcome.Written.class, g.outcomes().get(1));
    assertEquals(new Outcome.NotFound(new ServiceKey("p", "zz")), g.outcomes().get(2));
    assertNull(r.view().get(new ServiceKey("p", "b")), "the refused batch left nothing behind");
    assertEquals(
        List.of("p/a", "p/d"), r.view().services().stream().map(s -> s.key().toString()).toList());
    r.close();
  }

  @Test
  void withoutHoldDownAReleasedVipIsFreeAtOnce() {
    Registry r = TestRegistries.open(dir, TestRegistries.settings("10.0.0.0/29", null, 0));
    Service a = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    assertNull(a.vip6(), "no IPv6 pool, no IPv6 VIP");
    Outcome o =
        TestRegistries.apply(
            r, new Command.Batch(List.of(delete("a"), upsert("b", asking(a.vip4(), null)))));
    Outcome.BatchApplied applied = assertInstanceOf(Outcome.BatchApplied.class, o);
    assertEquals(a.vip4(), ((Outcome.Written) applied.outcomes().get(1)).service().vip4());
    assertEquals(r.view().get(new ServiceKey("p", "b")), r.view().byVip(a.vip4()));
    assertEquals(
        new Outcome.Invalid("vip6", "IPv6 VIPs are disabled in this cluster (vip6-cidr is empty)"),
        TestRegistries.apply(r, upsert("c", asking(null, IpAddresses.parse6("v", "fd00::1")))));
    r.close();
  }

  @Test
  void precheckRefusesStaticVipsTheSettingsRuleOut() throws IOException {
    Registry r = new Registry(dir, new SimpleMeterRegistry());
    assertNull(
        r.precheck(upsert("a", asking(IpAddresses.parse4("v", "192.0.2.1"), null))),
        "not loaded yet");
    r.load();
    assertNull(
        r.precheck(upsert("a", asking(IpAddresses.parse4("v", "192.0.2.1"), null))),
        "no settings yet");
    TestRegistries.apply(r, new Command.InitCluster(SETTINGS));
    assertEquals(
        new Outcome.Invalid("vip4", "192.0.2.1 is outside the VIP pool 10.0.0.0/29"),
        r.precheck(upsert("a", asking(IpAddresses.parse4("v", "192.0.2.1"), null))));
    assertEquals(
        new Outcome.Invalid("vip4", "10.0.0.7 is the network or broadcast address of 10.0.0.0/29"),
        r.precheck(upsert("a", asking(IpAddresses.parse4("v", "10.0.0.7"), null))));
    assertEquals(
        new Outcome.Invalid("vip6", "fd00::8 is outside the VIP pool fd00::/125"),
        r.precheck(upsert("a", asking(null, IpAddresses.parse6("v", "fd00::8")))));
    assertNull(
        r.precheck(
            upsert(
                "a",
                asking(IpAddresses.parse4("v", "10.0.0.6"), IpAddresses.parse6("v", "fd00::7")))));
    assertNull(r.precheck(delete("a")));
    // What precheck refuses, apply refuses the same way.
    Command outside = upsert("a", asking(IpAddresses.parse4("v", "192.0.2.1"), null));
    assertEquals(r.precheck(outside), TestRegistries.apply(r, outside));
    r.close();
  }

  @Test
  void poolGaugesFollowTheRegistry() {
    MeterRegistry meters = new SimpleMeterRegistry();
    Registry r = new Registry(dir, meters);
    assertEquals(0, gauge(meters, "quorumdns.vip.pool.capacity", "ipv4"), "before load");
    try {
      r.load();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    TestRegistries.apply(r, new Command.InitCluster(SETTINGS));
    TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    TestRegistries.register(r, "p", "b", ServiceSpec.ofPorts());
    TestRegistries.deregister(r, "p", "a");
    assertEquals(6, gauge(meters, "quorumdns.vip.pool.capacity", "ipv4"));
    assertEquals(7, gauge(meters, "quorumdns.vip.pool.capacity", "ipv6"));
    assertEquals(1, gauge(meters, "quorumdns.vip.pool.used", "ipv4"));
    assertEquals(1, gauge(meters, "quorumdns.vip.pool.used", "ipv6"));
    assertEquals(1, gauge(meters, "quorumdns.vip.pool.held", "ipv4"));
    assertEquals(1, gauge(meters, "quorumdns.vip.pool.held", "ipv6"));
    assertEquals(1, meters.get("quorumdns.registry.services").gauge().value());
    TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    assertEquals(0, gauge(meters, "quorumdns.vip.pool.held", "ipv4"), "its owner took it back");
    assertEquals(2, gauge(meters, "quorumdns.vip.pool.used", "ipv6"));
    r.close();
  }

  private static double gauge(MeterRegistry m, String name, String family) {
    return m.get(name).tag("family", family).gauge().value();
  }
}
