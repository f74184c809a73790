package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Cursor;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.VipOwner;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.history.ChangeLogState;
import dev.quorumdns.registry.history.Retention;
import dev.quorumdns.registry.history.ServiceChange;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/**
 * The replicated change log on real RocksDB: one record per changed service per revision with the
 * service before and after, written in the entry's batch (so it survives restarts and travels in
 * checkpoints), pruned the same way on every replica, and read from a snapshot that stays put while
 * writes go on.
 */
class ChangeLogTest {
  private static final long SEED = Long.getLong("quorumdns.seed", 20261205L);
  private static final ClusterSettings SMALL =
      TestRegistries.settings("10.9.0.0/24", "fd00:9::/120", 60_000);
  private static final ServiceKey WEB = new ServiceKey("shop", "web");

  @TempDir Path dir;

  private static Registry open(Path d, Retention retention) throws IOException {
    Registry r = new Registry(d, new SimpleMeterRegistry(), retention);
    r.load();
    return r;
  }

  private static List<ServiceChange> changesAfter(Registry r, long revision) throws IOException {
    try (RegistrySnapshot s = r.snapshot();
        Cursor<ServiceChange> c = s.changesAfter(revision)) {
      List<ServiceChange> out = new ArrayList<>();
      c.forEachRemaining(out::add);
      return out;
    }
  }

  private static ChangeLogState state(Registry r) throws IOException {
    try (RegistrySnapshot s = r.snapshot()) {
      return s.changeLog();
    }
  }

  @Test
  void recordsEachChangedServiceWithItsPreviousAndNewRecord() throws IOException {
    Registry r = TestRegistries.open(dir, SMALL);
    long start = r.meta().revision();
    Service created = TestRegistries.register(r, "shop", "web", ServiceSpec.ofPorts());
    Service updated =
        TestRegistries.register(
            r, "shop", "web", new ServiceSpec(List.of(), List.of(), Map.of("v", "2"), null, null));
    TestRegistries.register(
        r, "shop", "web", updated.spec()); // the same body again: no change, no record
    TestRegistries.apply(
        r,
        new Command.Batch(
            List.of(
                new Command.DeleteService(WEB),
                new Command.UpsertService(new ServiceKey("shop", "api"), ServiceSpec.ofPorts()))));
    TestRegistries.apply(
        r, new Command.DeleteService(new ServiceKey("shop", "nothing"))); // refused: no record
    List<ServiceChange> log = changesAfter(r, start);
    assertEquals(4, log.size(), log.toString());
    assertEquals(
        ServiceChange.put(created.revision(), null, created, TestRegistries.T0), log.get(0));
    assertEquals(
        ServiceChange.put(updated.revision(), created, updated, TestRegistries.T0), log.get(1));
    long batch = updated.revision() + 2;
    assertEquals(new ServiceKey("shop", "api"), log.get(2).key(), "one revision's records by key");
    assertEquals(batch, log.get(2).revision());
    assertNull(log.get(2).previous());
    assertEquals(ServiceChange.delete(batch, updated, TestRegistries.T0), log.get(3));
    assertEquals(batch, r.meta().revision());
    assertEquals(List.of(log.get(3)), changesAfter(r, batch - 1).subList(1, 2));
    assertTrue(changesAfter(r, batch).isEmpty());
    assertEquals(new ChangeLogState(4, 0, 1), state(r), "settings at revision 1, nothing pruned");
    r.close();
  }

  @Test
  void nodeRecordsAreNotRecordedButTheirLastChangeIs() throws IOException {
    Registry r = TestRegistries.open(dir, SMALL);
    TestRegistries.register(r, "shop", "web", ServiceSpec.ofPorts());
    TestRegistries.apply(
        r,
        new Command.PutNode(new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 1, 2, 3)));
    long nodeRevision = r.meta().revision();
    TestRegistries.register(r, "shop", "api", ServiceSpec.ofPorts());
    assertEquals(new ChangeLogState(2, 0, nodeRevision), state(r));
    assertEquals(1, changesAfter(r, nodeRevision).size());
    r.close();
  }

  @Test
  void survivesRestartsAndTravelsInCheckpoints() throws IOException {
    Registry r = TestRegistries.open(dir.resolve("a"), SMALL);
    for (int i = 0; i < 10; i++) {
      TestRegistries.register(r, "ns", "s" + i, ServiceSpec.ofPorts());
    }
    List<ServiceChange> before = changesAfter(r, 0);
    ChangeLogState state = state(r);
    r.close();
    r = open(dir.resolve("a"), Retention.DEFAULT);
    assertEquals(before, changesAfter(r, 0));
    assertEquals(state, state(r));
    r.checkpoint(dir.resolve("cp"));
    Registry other = TestRegistries.open(dir.resolve("b"), SMALL);
    TestRegistries.register(other, "other", "x", ServiceSpec.ofPorts());
    other.restore(dir.resolve("cp"));
    assertEquals(before, changesAfter(other, 0));
    assertEquals(state, state(other));
    TestRegistries.register(other, "ns", "s10", ServiceSpec.ofPorts());
    assertEquals(state.records() + 1, state(other).records(), "the restored log goes on");
    other.close();
    r.close();
  }

  @Test
  void aStoreWithoutAChangeLogStartsOneAtItsRevision() throws Exception {
    Registry r = TestRegistries.open(dir, SMALL);
    TestRegistries.register(r, "ns", "a", ServiceSpec.ofPorts());
    r.close();
    // What a store written before the change log existed looks like: no state key, no records.
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions();
        RocksDB raw = RocksDB.open(options, dir.toString(), descriptors(), handles)) {
      raw.delete(handles.get(0), "changelog".getBytes(StandardCharsets.UTF_8));
      handles.forEach(ColumnFamilyHandle::close);
    }
    r = open(dir, Retention.DEFAULT);
    long revision = r.meta().revision();
    assertEquals(ChangeLogState.startingAt(revision), state(r));
    TestRegistries.register(r, "ns", "b", ServiceSpec.ofPorts());
    assertEquals(
        new ChangeLogState(1, revision, revision),
        state(r),
        "counted from where it started; complete only after the revision it started at");
    r.close();
  }

  private static List<ColumnFamilyDescriptor> descriptors() {
    List<ColumnFamilyDescriptor> out = new ArrayList<>();
    for (String f :
        new String[] {
          "default", "services", "vips", "holds", "nodes", "changes", "leases", "requests"
        }) {
      out.add(new ColumnFamilyDescriptor(f.getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void keepsAtLeastTheMinimumCountOrAgeWhicheverIsMore() throws IOException {
    Retention small = new Retention(5, 10_000, 2);
    Registry r = open(dir, small);
    TestRegistries.apply(r, new Command.InitCluster(SMALL));
    long t = TestRegistries.T0;
    for (int i = 0; i < 20; i++) {
      TestRegistries.apply(
          r, new Command.UpsertService(new ServiceKey("ns", "s" + i), ServiceSpec.ofPorts()), t);
    }
    assertEquals(20, state(r).records(), "all younger than 10 s: every record kept");
    t += 10_001;
    TestRegistries.apply(
        r, new Command.UpsertService(new ServiceKey("ns", "s20"), ServiceSpec.ofPorts()), t);
    // One record added, so at most 1 + 2 removed in this entry.
    assertEquals(18, state(r).records());
    for (int i = 21; i < 40; i++) {
      TestRegistries.apply(
          r, new Command.UpsertService(new ServiceKey("ns", "s" + i), ServiceSpec.ofPorts()), t);
    }
    // The 20 old records went (2 per entry on top of what came in); the 20 young ones stay though
    // over 5.
    ChangeLogState s = state(r);
    assertEquals(20, s.records());
    List<ServiceChange> kept = changesAfter(r, s.oldestRevision());
    assertEquals(20, kept.size());
    assertEquals(new ServiceKey("ns", "s20"), kept.get(0).key());
    assertEquals(20, changesAfter(r, 0).size(), "pruned records are gone from the store");
    t += 10_001;
    for (int i = 40; i < 60; i++) {
      TestRegistries.apply(
          r, new Command.UpsertService(new ServiceKey("ns", "s" + i), ServiceSpec.ofPorts()), t);
      t += 1;
    }
    t += 20_000;
    TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("ns", "s59")), t);
    for (int i = 0; i < 30; i++) {
      TestRegistries.apply(
          r,
          new Command.PutNode(
              new NodeRecord("n1", IpAddresses.parse("a", "127.0.0." + (i + 1)), 1, 2, 3)),
          t);
    }
    assertEquals(
        5,
        state(r).records(),
        "all old: pruned down to the minimum count, by entries without records too");
    r.close();
  }

  /**
   * The log is the registry's history: from the state at any kept revision, its changes lead to the
   * state now; every record's previous service is what the registry held just before. Two replicas
   * fed the same entries, one restarted and one restored from a checkpoint on the way, keep the
   * same records.
   */
  @Test
  void replayingTheLogFromAnyKeptRevisionGivesTheStateNow() throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    Retention retention = new Retention(40, 5_000, 3);
    Registry a = open(dir.resolve("a"), retention);
    Registry b = open(dir.resolve("b"), retention);
    Map<Long, Map<ServiceKey, Service>> states = new HashMap<>();
    long t = TestRegistries.T0;
    long index = 0;
    for (int i = 0; i < 400; i++) {
      t += random.nextInt(200);
      Command c = i == 0 ? new Command.InitCluster(SMALL) : randomCommand(random);
      LogEntry e = new LogEntry(t, c);
      index++;
      a.apply(1, index, e);
      b.apply(1, index, e);
      states.put(a.meta().revision(), byKey(a.view().services()));
      if (i == 150) {
        b.close();
        b = open(dir.resolve("b"), retention);
      }
      if (i == 250) {
        a.checkpoint(dir.resolve("cp-" + i));
        b.restore(dir.resolve("cp-" + i));
      }
    }
    assertEquals(changesAfter(a, 0), changesAfter(b, 0), "seed " + SEED);
    assertEquals(state(a), state(b), "seed " + SEED);
    ChangeLogState s = state(a);
    assertTrue(s.oldestRevision() > 0, "something was pruned, seed " + SEED);
    Map<ServiceKey, Service> now = byKey(a.view().services());
    for (Map.Entry<Long, Map<ServiceKey, Service>> at : new TreeMap<>(states).entrySet()) {
      if (at.getKey() < s.oldestRevision()) {
        continue;
      }
      Map<ServiceKey, Service> replayed = new TreeMap<>(at.getValue());
      for (ServiceChange c : changesAfter(a, at.getKey())) {
        assertEquals(replayed.get(c.key()), c.previous(), "previous of " + c + ", seed " + SEED);
        if (c.current() == null) {
          replayed.remove(c.key());
        } else {
          replayed.put(c.key(), c.current());
        }
      }
      assertEquals(now, replayed, "replay from revision " + at.getKey() + ", seed " + SEED);
    }
    a.close();
    b.close();
  }

  private static Command randomCommand(SplittableRandom r) {
    ServiceKey k = new ServiceKey("ns" + r.nextInt(2), "s" + r.nextInt(12));
    ServiceSpec spec =
        new ServiceSpec(List.of(), List.of(), Map.of("v", "" + r.nextInt(3)), null, null);
    return switch (r.nextInt(7)) {
      case 0, 1, 2 -> new Command.UpsertService(k, spec);
      case 3 -> new Command.DeleteService(k);
      case 4 ->
          new Command.Batch(
              List.of(
                  new Command.DeleteService(k),
                  new Command.UpsertService(
                      new ServiceKey("ns0", "s" + r.nextInt(12)), ServiceSpec.ofPorts())));
      case 5 ->
          new Command.Group(
              List.of(
                  new Command.UpsertService(k, spec),
                  new Command.DeleteService(new ServiceKey("ns1", "s" + r.nextInt(12))),
                  new Command.UpsertService(k, ServiceSpec.ofPorts())));
      default ->
          new Command.PutNode(
              new NodeRecord(
                  "n" + r.nextInt(3), IpAddresses.parse("a", "127.0.0.1"), 1 + r.nextInt(3), 2, 3));
    };
  }

  private static Map<ServiceKey, Service> byKey(List<Service> services) {
    Map<ServiceKey, Service> out = new TreeMap<>();
    services.forEach(s -> out.put(s.key(), s));
    return out;
  }

  @Test
  void aSnapshotStaysAtItsRevisionWhileWritesGoOn() throws IOException {
    Registry r = TestRegistries.open(dir, SMALL);
    for (int i = 0; i < 50; i++) {
      TestRegistries.register(r, "ns", "s" + i, ServiceSpec.ofPorts());
    }
    long revision = r.meta().revision();
    List<Service> at = r.view().services();
    try (RegistrySnapshot s = r.snapshot();
        Cursor<Service> services = s.services()) {
      List<Service> read = new ArrayList<>();
      for (int i = 0; services.hasNext(); i++) {
        read.add(services.next());
        if (i % 5 == 0) {
          TestRegistries.register(r, "ns", "late" + i, ServiceSpec.ofPorts());
          TestRegistries.deregister(r, "ns", "s" + (49 - i));
        }
      }
      assertEquals(revision, s.revision());
      assertEquals(
          at.stream().map(Service::key).sorted(this::storeOrder).toList(),
          read.stream().map(Service::key).toList());
      assertEquals(byKey(at), byKey(read));
      try (Cursor<ServiceChange> none = s.changesAfter(revision)) {
        assertFalse(none.hasNext(), "changes after the snapshot's revision are not in it");
      }
      Service first = at.get(0);
      List<VipOwner> vips = new ArrayList<>();
      try (Cursor<VipOwner> c = s.vips(first.vip4(), first.vip4())) {
        c.forEachRemaining(vips::add);
      }
      assertEquals(List.of(new VipOwner(first.vip4(), first.key())), vips);
    }
    assertTrue(r.meta().revision() > revision);
    r.close();
  }

  private int storeOrder(ServiceKey a, ServiceKey b) {
    return Arrays.compareUnsigned(
        a.toString().getBytes(StandardCharsets.UTF_8),
        b.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void closingOrReplacingTheStoreRevokesOpenSnapshots() throws IOException {
    Registry r = TestRegistries.open(dir.resolve("a"), SMALL);
    for (int i = 0; i < 5; i++) {
      TestRegistries.register(r, "ns", "s" + i, ServiceSpec.ofPorts());
    }
    r.checkpoint(dir.resolve("cp"));
    RegistrySnapshot open = r.snapshot();
    Cursor<Service> reading = open.services();
    reading.next();
    r.restore(dir.resolve("cp"));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, reading::hasNext);
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    open.close(); // idempotent after revocation
    try (RegistrySnapshot s = r.snapshot()) {
      assertEquals(r.meta().revision(), s.revision(), "the restored store serves snapshots");
    }
    RegistrySnapshot last = r.snapshot();
    r.close();
    assertThrows(UncheckedIOException.class, last::services);
    assertThrows(IOException.class, r::snapshot);
  }
}
