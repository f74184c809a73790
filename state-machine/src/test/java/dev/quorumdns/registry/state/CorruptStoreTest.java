package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.testing.TestRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A store damaged behind the registry's back (written with the RocksDB API directly) is refused by
 * {@code load} with an {@link IOException} naming the problem, and leaves the store closed so it
 * can be repaired.
 */
class CorruptStoreTest {
  private static final String[] FAMILIES = {
    "default", "services", "vips", "holds", "nodes", "changes", "leases", "requests"
  };
  private static final int META = 0;
  private static final int SERVICES = 1;
  private static final int VIPS = 2;
  private static final int HOLDS = 3;
  private static final int NODES = 4;
  private static final int LEASES = 6;
  private static final int REQUESTS = 7;

  @TempDir Path dir;

  /** What the registry wrote, to damage and then repair. */
  private record Fixture(Service a, Service b) {}

  @FunctionalInterface
  interface Damage {
    void apply(RocksDB db, List<ColumnFamilyHandle> cf, Fixture f) throws RocksDBException;
  }

  static Stream<Arguments> damages() {
    return Stream.of(
        damage(
            "VIP index says 240.0.0.1 belongs to nobody/here",
            (db, cf, f) -> db.put(cf.get(VIPS), addr("240.0.0.1"), utf8("nobody/here"))),
        damage(
            "VIP index says",
            (db, cf, f) ->
                db.put(cf.get(VIPS), f.a().vip4().getAddress(), utf8(f.b().key().toString()))),
        damage(
            "VIP index entry for",
            (db, cf, f) -> db.put(cf.get(VIPS), f.a().vip4().getAddress(), utf8("garbage"))),
        damage(
            "VIP index key of 5 bytes",
            (db, cf, f) -> db.put(cf.get(VIPS), new byte[5], utf8("a/b"))),
        damage("VIP index has", (db, cf, f) -> db.delete(cf.get(VIPS), f.a().vip6().getAddress())),
        damage(
            "trailing",
            (db, cf, f) -> db.put(cf.get(SERVICES), key(f.a()), append(service(f.a()), 0))),
        damage(
            "truncated",
            (db, cf, f) -> {
              byte[] s = service(f.a());
              db.put(cf.get(SERVICES), key(f.a()), Arrays.copyOf(s, s.length - 3));
            }),
        damage(
            "both hold VIP",
            (db, cf, f) ->
                db.put(
                    cf.get(SERVICES),
                    key(f.b()),
                    service(
                        new Service(
                            f.b().key(),
                            f.b().spec(),
                            f.a().vip4(),
                            f.b().vip6(),
                            f.b().revision(),
                            f.b().createRevision())))),
        damage(
            "belongs under",
            (db, cf, f) -> {
              db.delete(cf.get(SERVICES), key(f.b()));
              db.put(cf.get(SERVICES), utf8("zz/misfiled"), service(f.b()));
            }),
        damage("meta", (db, cf, f) -> db.put(cf.get(META), utf8("meta"), new byte[] {9, 0})),
        damage(
            "settings", (db, cf, f) -> db.put(cf.get(META), utf8("settings"), new byte[] {1, 'x'})),
        damage("hold", (db, cf, f) -> db.put(cf.get(HOLDS), addr("240.0.0.2"), new byte[] {4, 1})),
        damage("node", (db, cf, f) -> db.put(cf.get(NODES), utf8("n2"), node("n1"))),
        damage(
            "lease 0x0000000000000001: truncated",
            (db, cf, f) ->
                db.put(cf.get(LEASES), new byte[] {0, 0, 0, 0, 0, 0, 0, 1}, new byte[] {1, 0})),
        damage(
            "lease stored under key",
            (db, cf, f) ->
                db.put(
                    cf.get(LEASES),
                    new byte[] {0, 0, 0, 0, 0, 0, 0, 2},
                    new byte[] {
                      1, 0, 0, 0, 0, 0, 0, 0, 1, (byte) 0x88, 0x27, 0, 0, 0, 0, 0, 0, 0, 0
                    })),
        damage(
            "change log state: unknown format 7",
            (db, cf, f) -> db.put(cf.get(META), utf8("changelog"), new byte[] {7, 0, 0, 0})),
        damage(
            "a remembered request's key has 5 bytes",
            (db, cf, f) -> db.put(cf.get(REQUESTS), new byte[5], new byte[8])),
        damage(
            "a remembered request's value has 3 bytes",
            (db, cf, f) -> db.put(cf.get(REQUESTS), new byte[24], new byte[3])));
  }

  private static Arguments damage(String message, Damage d) {
    return Arguments.of(message, d);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("damages")
  void aDamagedStoreIsRefusedNamingTheProblem(String message, Damage damage) throws Exception {
    Registry r =
        TestRegistries.open(dir, TestRegistries.settings("240.0.0.0/24", "fd00::/120", 60_000));
    Service a = TestRegistries.register(r, "prod", "a", ServiceSpec.ofPorts());
    Service b = TestRegistries.register(r, "prod", "b", ServiceSpec.ofPorts());
    TestRegistries.register(r, "prod", "c", ServiceSpec.ofPorts());
    TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("prod", "c")));
    TestRegistries.apply(
        r,
        new Command.PutNode(new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 1, 2, 3)));
    List<Service> before = r.view().services();
    r.close();

    // Damage, keeping a copy of the whole store to put back.
    List<byte[][]> saved = new ArrayList<>();
    withRocks(
        dir,
        (db, cf) -> {
          for (int f = 0; f < FAMILIES.length; f++) {
            try (var it = db.newIterator(cf.get(f))) {
              for (it.seekToFirst(); it.isValid(); it.next()) {
                saved.add(new byte[][] {{(byte) f}, it.key(), it.value()});
              }
            }
          }
          damage.apply(db, cf, new Fixture(a, b));
        });

    Registry broken = new Registry(dir, new SimpleMeterRegistry());
    IOException e = assertThrows(IOException.class, broken::load);
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), "names the store: " + e.getMessage());
    assertFalse(broken.view().isLoaded(), "a store that did not load is not served");

    // The failed load released the store: repair it and load again.
    withRocks(
        dir,
        (db, cf) -> {
          for (int f = 0; f < FAMILIES.length; f++) {
            try (var it = db.newIterator(cf.get(f))) {
              for (it.seekToFirst(); it.isValid(); it.next()) {
                db.delete(cf.get(f), it.key());
              }
            }
          }
          for (byte[][] kv : saved) {
            db.put(cf.get(kv[0][0]), kv[1], kv[2]);
          }
        });
    broken.load();
    assertEquals(before, broken.view().services());
    broken.close();
  }

  @Test
  void aTableFileThatFailsItsChecksumIsRefusedWhenTheStoreOpens() throws Exception {
    // The change log is not read by the load: a damaged block there went unnoticed until a
    // background read failed, seconds after the node had started serving.
    Registry r =
        TestRegistries.open(dir, TestRegistries.settings("240.0.0.0/24", "fd00::/120", 60_000));
    for (int i = 0; i < 50; i++) {
      TestRegistries.register(r, "prod", "s" + i, ServiceSpec.ofPorts());
    }
    r.close();
    withRocks(
        dir,
        (db, cf) -> {
          try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, cf);
          }
        });
    Path table;
    try (Stream<Path> files = Files.list(dir)) {
      table =
          files
              .filter(p -> p.toString().endsWith(".sst"))
              .max(Comparator.comparingLong(p -> p.toFile().length()))
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(table);
    bytes[bytes.length / 4] ^= 0x10; // inside the first data block, far from the footer
    Files.write(table, bytes);

    Registry broken = new Registry(dir, new SimpleMeterRegistry());
    IOException e = assertThrows(IOException.class, broken::load);
    assertTrue(
        e.getMessage().contains("is corrupt (a table file fails its checksum)"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.toString()), "names the store: " + e.getMessage());
    assertFalse(broken.view().isLoaded(), "a store that did not load is not served");
  }

  @FunctionalInterface
  interface RocksWork {
    void run(RocksDB db, List<ColumnFamilyHandle> cf) throws RocksDBException;
  }

  static void withRocks(Path dir, RocksWork work) throws RocksDBException {
    List<ColumnFamilyDescriptor> cfs = new ArrayList<>();
    for (String name : FAMILIES) {
      cfs.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions o = new DBOptions();
        RocksDB db = RocksDB.open(o, dir.toString(), cfs, handles)) {
      try {
        work.run(db, handles);
      } finally {
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] addr(String ip) {
    return IpAddresses.parse("a", ip).getAddress();
  }

  private static byte[] key(Service s) {
    return utf8(s.key().toString());
  }

  private static byte[] service(Service s) {
    ByteSink out = new ByteSink();
    RegistryCodec.writeService(out, s);
    return out.toByteArray();
  }

  private static byte[] node(String id) {
    ByteSink out = new ByteSink();
    RegistryCodec.writeNode(out, new NodeRecord(id, IpAddresses.parse("a", "127.0.0.1"), 1, 2, 3));
    return out.toByteArray();
  }

  private static byte[] append(byte[] b, int extra) {
    byte[] out = Arrays.copyOf(b, b.length + 1);
    out[b.length] = (byte) extra;
    return out;
  }
}
