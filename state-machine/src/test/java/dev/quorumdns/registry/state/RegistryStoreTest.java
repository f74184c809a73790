package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.store.StoredMeta;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/**
 * The registry on real RocksDB: durability across reopen, replay skipping, snapshots, crash-safe
 * swaps.
 */
class RegistryStoreTest {
  private static final long HOLD = 60_000;
  private static final ClusterSettings SMALL =
      TestRegistries.settings("10.9.0.0/28", "fd00:9::/124", HOLD);

  @TempDir Path dir;

  private static final ThreadLocal<java.net.InetAddress> DELETED_VIP = new ThreadLocal<>();

  private static Registry fresh(Path d) throws IOException {
    Registry r = new Registry(d, new SimpleMeterRegistry());
    r.load();
    return r;
  }

  private static Registry populated(Path d) {
    Registry r = TestRegistries.open(d, ClusterSettings.defaults());
    for (int i = 0; i < 20; i++) {
      TestRegistries.register(r, "ns" + (i % 3), "svc" + i, ServiceSpec.ofPorts());
    }
    Outcome.Deleted gone =
        (Outcome.Deleted)
            TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("ns0", "svc0")));
    DELETED_VIP.set(gone.service().vip4());
    TestRegistries.apply(
        r,
        new Command.PutNode(new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 1, 2, 3)));
    return r;
  }

  @Test
  void stateSurvivesCloseAndReopen() throws IOException {
    Registry r = populated(dir);
    List<Service> services = r.view().services();
    var meta = r.meta();
    r.close();
    Registry again = fresh(dir);
    assertEquals(services, again.view().services());
    assertEquals(meta, again.meta());
    assertEquals(19, again.view().size());
    assertTrue(again.view().settings().isPresent());
    assertEquals("127.0.0.11", again.view().node("n1").address().getHostAddress());
    // The hold-down of the deleted name survived too: it gets its VIP back.
    Service back = TestRegistries.register(again, "ns0", "svc0", ServiceSpec.ofPorts());
    assertEquals(DELETED_VIP.get(), back.vip4(), "its VIP was held for it across the restart");
    again.close();
  }

  @Test
  void entriesAtOrBelowTheStoredIndexAreSkipped() throws IOException {
    Registry r = populated(dir);
    long applied = r.meta().appliedIndex();
    List<Service> before = r.view().services();
    Outcome o =
        r.apply(
            1, applied, new LogEntry(0, new Command.DeleteService(new ServiceKey("ns1", "svc1"))));
    assertInstanceOf(Outcome.AlreadyApplied.class, o);
    assertEquals(before, r.view().services());
    r.advance(2, applied + 1);
    assertEquals(applied + 1, r.meta().appliedIndex());
    assertEquals(2, r.meta().appliedTerm());
    assertTrue(r.meta().revision() <= applied, "advance records the index, not a registry change");
    r.close();
  }

  @Test
  void aCheckpointRestoresTheSameState() throws IOException {
    Registry r = populated(dir.resolve("a"));
    Path cp = dir.resolve("checkpoint");
    r.checkpoint(cp);
    TestRegistries.register(r, "late", "x", ServiceSpec.ofPorts());
    Registry other = populated(dir.resolve("b"));
    TestRegistries.register(other, "other", "y", ServiceSpec.ofPorts());
    other.restore(cp);
    assertEquals(r.view().size() - 1, other.view().size());
    assertNull(other.view().get(new ServiceKey("late", "x")));
    assertNull(other.view().get(new ServiceKey("other", "y")));
    assertEquals(r.meta().appliedIndex() - 1, other.meta().appliedIndex());
    other.close();
    Registry reopened = fresh(dir.resolve("b"));
    assertEquals(
        other.view().size(),
        reopened.view().size(),
        "the restored store is the live one after restart");
    reopened.close();
    r.close();
  }

  @Test
  void anInterruptedSwapIsFinishedOnLoad() throws IOException {
    Path live = dir.resolve("state");
    Registry r = populated(live);
    int size = r.view().size();
    r.close();
    // A crash after the live store was moved aside but before the new one was renamed into place.
    Files.move(live, Snapshots.incoming(live));
    Registry recovered = fresh(live);
    assertEquals(size, recovered.view().size());
    assertFalse(Files.exists(Snapshots.incoming(live)));
    recovered.close();
  }

  @Test
  void aCorruptVipIndexIsDetectedOnLoad() throws Exception {
    Registry r = populated(dir);
    r.close();
    List<ColumnFamilyDescriptor> cfs = new ArrayList<>();
    for (String name :
        new String[] {
          "default", "services", "vips", "holds", "nodes", "changes", "leases", "requests"
        }) {
      cfs.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions o = new DBOptions();
        RocksDB db = RocksDB.open(o, dir.toString(), cfs, handles)) {
      db.put(
          handles.get(2),
          IpAddresses.parse("a", "240.0.0.1").getAddress(),
          "nobody/here".getBytes(StandardCharsets.UTF_8));
      handles.forEach(ColumnFamilyHandle::close);
    }
    IOException e = assertThrows(IOException.class, () -> fresh(dir));
    assertTrue(e.getMessage().contains("VIP index"), e.getMessage());
  }

  @Test
  void theViewAnswersEveryReadOfTheDnsFrontEnd() throws IOException {
    Registry unloaded = new Registry(dir.resolve("x"), new SimpleMeterRegistry());
    assertFalse(unloaded.view().isLoaded());
    assertNull(unloaded.view().get(new ServiceKey("a", "b")));
    Registry r = populated(dir.resolve("y"));
    assertTrue(r.view().isLoaded());
    assertTrue(r.view().hasNamespace("ns1"));
    assertFalse(r.view().hasNamespace("nope"));
    Service s = r.view().get(new ServiceKey("ns1", "svc1"));
    assertEquals(s, r.view().byVip(s.vip4()));
    assertEquals(s, r.view().byVip(s.vip6()));
    assertEquals(7, r.view().services("ns1").size());
    for (int i = 0; i < 20; i += 3) {
      TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("ns0", "svc" + i)));
    }
    assertFalse(r.view().hasNamespace("ns0"), "the last service gone, the namespace is gone");
    assertEquals(r.meta().revision(), r.view().revision());
    r.close();
  }

  /**
   * Random entries over a small pool, with deletes, static VIPs, batches, groups and log time
   * passing.
   */
  private static List<LogEntry> randomLog(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<LogEntry> log = new ArrayList<>();
    log.add(new LogEntry(TestRegistries.T0, new Command.InitCluster(SMALL)));
    long time = TestRegistries.T0;
    for (int i = 0; i < n; i++) {
      time += r.nextInt(10) == 0 ? HOLD : r.nextInt(300);
      ServiceKey k = new ServiceKey("ns" + r.nextInt(3), "s" + r.nextInt(10));
      boolean headless =
          k.namespace().equals("ns2") && r.nextInt(10) != 0; // now and then a switch, refused
      List<Endpoint> endpoints = new ArrayList<>();
      for (int e = r.nextInt(3); e > 0; e--) {
        endpoints.add(
            new Endpoint(
                "10.0.0." + r.nextInt(4),
                null,
                null,
                Health.values()[r.nextInt(3)],
                r.nextBoolean() ? null : 1L + r.nextInt(4)));
      }
      ServiceSpec spec =
          new ServiceSpec(
              List.of(),
              endpoints,
              Map.of("v", "" + r.nextInt(3)),
              !headless && r.nextInt(8) == 0
                  ? (Inet4Address) SMALL.vip4Pool().addressAt(1 + r.nextInt(14))
                  : null,
              !headless && r.nextInt(8) == 0
                  ? (Inet6Address) SMALL.vip6Pool().addressAt(1 + r.nextInt(15))
                  : null,
              headless);
      long lease = 1L + r.nextInt(4);
      Command c =
          switch (r.nextInt(10)) {
            case 0, 1 -> new Command.UpsertService(k, spec);
            case 2 -> new Command.DeleteService(k);
            case 3 ->
                new Command.Batch(
                    List.of(
                        new Command.DeleteService(k),
                        new Command.UpsertService(
                            new ServiceKey("ns0", "s" + r.nextInt(10)), ServiceSpec.ofPorts())));
            case 4 ->
                new Command.Group(
                    List.of(
                        new Command.UpsertService(k, spec),
                        new Command.DeleteService(new ServiceKey("ns1", "s" + r.nextInt(10))),
                        new Command.ExpireLeases(List.of(lease))));
            case 5 -> new Command.GrantLease(lease, 5_000 + r.nextInt(1000));
            case 6 ->
                r.nextBoolean()
                    ? new Command.RevokeLease(lease)
                    : new Command.ExpireLeases(List.of(lease, 1L + r.nextInt(4)));
            case 7 ->
                new Command.SetEndpointHealth(
                    k, "10.0.0." + r.nextInt(4), null, Health.values()[r.nextInt(3)]);
            default ->
                new Command.PutNode(
                    new NodeRecord(
                        "n" + r.nextInt(3),
                        IpAddresses.parse("a", "127.0.0.1"),
                        1 + r.nextInt(3),
                        2,
                        3));
          };
      log.add(
          new LogEntry(
              time - (r.nextInt(20) == 0 ? 5_000 : 0), c)); // now and then a slower leader clock
    }
    return log;
  }

  /**
   * A replica that is closed and reopened (and now and then restored from the other's checkpoint)
   * between entries gives the same outcomes as one that never stops: what RocksDB holds is all that
   * apply depends on.
   */
  @Test
  void restartsAndRestoresChangeNoOutcome() throws IOException {
    long seed = Long.getLong("quorumdns.seed", 7L);
    List<LogEntry> log = randomLog(seed, 1500);
    SplittableRandom r = new SplittableRandom(seed);
    Registry steady = fresh(dir.resolve("steady"));
    Registry restarted = fresh(dir.resolve("restarted"));
    int checkpoints = 0;
    for (int i = 0; i < log.size(); i++) {
      long index = i + 1;
      Outcome expected = steady.apply(1, index, log.get(i));
      Outcome actual = restarted.apply(1, index, log.get(i));
      LogEntry entry = log.get(i);
      assertEquals(expected, actual, () -> "seed " + seed + ", entry " + index + " " + entry);
      int roll = r.nextInt(75); // about 20 restarts and 20 restores: each costs tens of ms
      if (roll == 0) {
        restarted.close();
        restarted = fresh(dir.resolve("restarted"));
      } else if (roll == 1) {
        Path cp = dir.resolve("cp" + checkpoints++);
        steady.checkpoint(cp);
        restarted.restore(cp);
      }
      if (roll < 2) {
        assertEquals(
            steady.view().services(),
            restarted.view().services(),
            "seed " + seed + ", entry " + index);
        assertEquals(steady.meta(), restarted.meta(), "seed " + seed + ", entry " + index);
        assertEquals(steady.leases(), restarted.leases(), "seed " + seed + ", entry " + index);
      }
    }
    assertEquals(steady.view().services(), restarted.view().services(), "seed " + seed);
    assertEquals(
        Set.copyOf(steady.view().nodes()), Set.copyOf(restarted.view().nodes()), "seed " + seed);
    assertEquals(steady.leases(), restarted.leases(), "seed " + seed);
    assertEquals(steady.meta(), restarted.meta(), "seed " + seed);
    // Replaying the whole log after a restart changes nothing: every entry is already applied.
    restarted.close();
    restarted = fresh(dir.resolve("restarted"));
    for (int i = 0; i < log.size(); i++) {
      assertEquals(new Outcome.AlreadyApplied(i + 1), restarted.apply(1, i + 1, log.get(i)));
    }
    assertEquals(steady.view().services(), restarted.view().services());
    assertEquals(steady.meta(), restarted.meta());
    steady.close();
    restarted.close();
  }

  @Test
  void skippedEntriesAreCountedAsAlreadyAppliedOutcomes() throws IOException {
    Registry r = TestRegistries.open(dir, SMALL);
    TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    long applied = r.meta().appliedIndex();
    r.close();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Registry again = new Registry(dir, meters);
    again.load();
    for (long i = 1; i <= applied; i++) {
      again.apply(
          1,
          i,
          new LogEntry(TestRegistries.T0, new Command.DeleteService(new ServiceKey("p", "a"))));
    }
    assertEquals(
        applied,
        meters.counter("quorumdns.registry.outcomes", "outcome", "AlreadyApplied").count(),
        "every replayed entry is counted");
    assertTrue(again.view().get(new ServiceKey("p", "a")) != null, "and none of them was applied");
    again.close();
  }

  @Test
  void advanceRecordsTheIndexAndSurvivesRestart() throws IOException {
    Registry r = TestRegistries.open(dir, SMALL);
    Service s = TestRegistries.register(r, "p", "a", ServiceSpec.ofPorts());
    StoredMeta before = r.meta();
    r.advance(3, before.appliedIndex() + 5); // a configuration change, at a later term
    StoredMeta after = r.meta();
    assertEquals(
        new StoredMeta(3, before.appliedIndex() + 5, before.revision(), before.logTimeMillis()),
        after);
    assertEquals(after.appliedIndex(), r.view().appliedIndex());
    assertEquals(s.revision(), r.view().revision(), "no registry change: the SOA serial stays");
    r.advance(4, after.appliedIndex()); // at or below the applied index: ignored
    assertEquals(after, r.meta());
    assertEquals(
        new Outcome.AlreadyApplied(after.appliedIndex()),
        r.apply(
            4,
            after.appliedIndex(),
            new LogEntry(TestRegistries.T0, new Command.DeleteService(s.key()))));
    r.close();
    Registry again = fresh(dir);
    assertEquals(after, again.meta());
    assertEquals(s, again.view().get(s.key()));
    Outcome o =
        again.apply(
            3, after.appliedIndex() + 1, new LogEntry(0, new Command.DeleteService(s.key())));
    assertInstanceOf(Outcome.Deleted.class, o);
    assertEquals(after.appliedIndex() + 1, again.view().revision());
    assertEquals(before.logTimeMillis(), again.meta().logTimeMillis(), "log time never goes back");
    again.close();
  }

  @Test
  void aRestoredReplicaKeepsTheHoldDowns() throws IOException {
    Registry leader = TestRegistries.open(dir.resolve("a"), SMALL);
    Service gone = TestRegistries.register(leader, "p", "gone", ServiceSpec.ofPorts());
    TestRegistries.deregister(leader, "p", "gone");
    Path cp = dir.resolve("cp");
    leader.checkpoint(cp);
    Registry follower = TestRegistries.open(dir.resolve("b"), SMALL);
    RegistryViewHolder held = new RegistryViewHolder(follower.view());
    follower.restore(cp);
    assertEquals(leader.meta(), follower.meta());
    assertEquals(
        leader.view().services(),
        held.view().services(),
        "a view taken before the restore follows it");
    for (Registry r : List.of(leader, follower)) {
      ServiceSpec grab = new ServiceSpec(List.of(), List.of(), Map.of(), gone.vip4(), null);
      assertInstanceOf(
          Outcome.Conflict.class,
          TestRegistries.apply(r, new Command.UpsertService(new ServiceKey("p", "thief"), grab)),
          "the hold-down came with the checkpoint");
      Service back = TestRegistries.register(r, "p", "gone", ServiceSpec.ofPorts());
      assertEquals(gone.vip4(), back.vip4());
      assertEquals(gone.vip6(), back.vip6());
    }
    assertEquals(leader.view().services(), follower.view().services());
    leader.close();
    follower.close();
  }

  @Test
  void aFailedRestoreLeavesTheReplicaNotLoadedUntilLoadedAgain() throws IOException {
    Path live = dir.resolve("state");
    Registry r = populated(live);
    List<Service> services = r.view().services();
    IOException e =
        assertThrows(IOException.class, () -> r.restore(dir.resolve("no-such-checkpoint")));
    assertFalse(r.view().isLoaded(), "not serving a state it may no longer have: " + e);
    assertThrows(
        IllegalStateException.class,
        () ->
            r.apply(
                1, 999, new LogEntry(0, new Command.DeleteService(new ServiceKey("ns1", "svc1")))));
    r.load();
    assertEquals(
        services, r.view().services(), "the copy failed before the live store was touched");
    assertFalse(Files.exists(Snapshots.incoming(live)));
    r.close();
  }

  @Test
  void aCrashBeforeTheSwapKeepsTheLiveStore() throws IOException {
    Path live = dir.resolve("state");
    Registry r = populated(live);
    List<Service> services = r.view().services();
    Path cp = dir.resolve("cp");
    r.checkpoint(cp);
    TestRegistries.register(r, "after", "checkpoint", ServiceSpec.ofPorts());
    List<Service> newer = r.view().services();
    r.close();
    // A crash while the checkpoint was being copied in: a partial incoming copy beside the live
    // store,
    // and a retired store left over from an earlier swap.
    Files.createDirectories(Snapshots.incoming(live));
    Files.writeString(Snapshots.incoming(live).resolve("CURRENT"), "garbage");
    Snapshots.copyTree(cp, Snapshots.retired(live));
    Registry again = fresh(live);
    assertEquals(newer, again.view().services(), "the live store is kept");
    assertFalse(Files.exists(Snapshots.incoming(live)));
    assertFalse(Files.exists(Snapshots.retired(live)));
    again.close();
    // A swap that completes leaves only the new store.
    Snapshots.replaceStoreFrom(cp, live);
    assertFalse(Files.exists(Snapshots.incoming(live)));
    assertFalse(Files.exists(Snapshots.retired(live)));
    Registry swapped = fresh(live);
    assertEquals(services, swapped.view().services());
    swapped.close();
  }

  /** Every checkpoint flushes a table file: the state spread over several of them loads whole. */
  @Test
  void loadReadsEveryTableFile() throws IOException {
    Registry r = TestRegistries.open(dir.resolve("live"));
    int n = 0;
    for (int round = 0; round < 4; round++) {
      for (int i = 0; i < 300; i++, n++) {
        TestRegistries.register(r, "ns" + n % 37, "s" + n, ServiceSpec.ofPorts());
      }
      for (int i = 1; i <= 300; i += 7) {
        TestRegistries.deregister(r, "ns" + (n - i) % 37, "s" + (n - i));
      }
      r.checkpoint(dir.resolve("cp" + round));
    }
    List<Service> all = r.view().services();
    r.close();
    Registry again = fresh(dir.resolve("live"));
    assertEquals(all, again.view().services());
    Registry other = TestRegistries.open(dir.resolve("other"));
    other.restore(dir.resolve("cp3"));
    assertEquals(all, other.view().services());
    again.close();
    other.close();
  }

  /** Holds a view the way the DNS front end does: taken once, read for ever. */
  private record RegistryViewHolder(dev.quorumdns.registry.RegistryView view) {}
}
