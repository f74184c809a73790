package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

/** The registry on real RocksDB: durability across reopen, replay skipping, snapshots, crash-safe swaps. */
class RegistryStoreTest {
  @TempDir
  Path dir;

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
    Outcome.Deleted gone = (Outcome.Deleted) TestRegistries.apply(r,
        new Command.DeleteService(new ServiceKey("ns0", "svc0")));
    DELETED_VIP.set(gone.service().vip4());
    TestRegistries.apply(r, new Command.PutNode(new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 1, 2, 3)));
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
    Outcome o = r.apply(1, applied, new LogEntry(0, new Command.DeleteService(new ServiceKey("ns1", "svc1"))));
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
    assertEquals(other.view().size(), reopened.view().size(), "the restored store is the live one after restart");
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
    for (String name : new String[] {"default", "services", "vips", "holds", "nodes"}) {
      cfs.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions o = new DBOptions(); RocksDB db = RocksDB.open(o, dir.toString(), cfs, handles)) {
      db.put(handles.get(2), IpAddresses.parse("a", "240.0.0.1").getAddress(),
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
}
