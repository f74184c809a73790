package dev.quorumdns.registry.store;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import dev.quorumdns.registry.vip.VipHold;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Decodes a store's (or a snapshot's) raw contents, checking every value and that the VIP index
 * agrees with the services: all of it, or a {@link CodecException} naming the first problem. {@link
 * #read} gives a {@link StoredState}; a {@link Loader} streams the values into a {@link Sink}
 * instead (how a node loads its store). Stateless and thread-safe; a Loader is confined to one
 * thread.
 */
public final class StoredStateReader {
  private StoredStateReader() {}

  /**
   * Receives a store's values as they are read and checked, in family order: meta and settings,
   * services, then (after the VIP index has been checked against the services) holds, nodes and
   * leases. Called on one thread.
   */
  public interface Sink {
    void meta(StoredMeta meta);

    void settings(ClusterSettings settings);

    /** About how many services follow (an estimate, to size tables once). */
    default void expectServices(long n) {}

    /**
     * Adds a checked service, read in place (valid until the next call); returns the service
     * already holding one of its VIPs (then nothing is added), or null.
     */
    ServiceKey addService(StoredService s) throws CodecException;

    /** The service added that holds {@code vip}, or null. */
    ServiceKey vipOwner(InetAddress vip);

    /** How many VIPs the services added hold. */
    long vipCount();

    void addHold(VipHold h);

    void addNode(NodeRecord n);

    void addLease(Lease l);
  }

  /** The whole state in {@code raw}, or a {@link CodecException} if any part of it is corrupt. */
  public static StoredState read(StoreContents raw) throws CodecException {
    Collected c = new Collected();
    read(raw, c);
    return new StoredState(c.meta, c.settings, c.services, c.holds, c.nodes, c.leases);
  }

  /**
   * Feeds the whole state in {@code raw} into {@code sink}, or throws a {@link CodecException} on
   * the first problem.
   */
  public static void read(StoreContents raw, Sink sink) throws CodecException {
    Loader in = new Loader(sink);
    in.meta(raw.meta(), raw.settings());
    for (StoreContents.Entry e : raw.services()) {
      in.service(e.key(), e.value());
    }
    for (StoreContents.Entry e : raw.vips()) {
      in.vip(e.key(), e.value());
    }
    in.vipsDone();
    for (StoreContents.Entry e : raw.holds()) {
      in.hold(e.key(), e.value());
    }
    for (StoreContents.Entry e : raw.nodes()) {
      in.node(e.key(), e.value());
    }
    for (StoreContents.Entry e : raw.leases()) {
      in.lease(e.key(), e.value());
    }
  }

  /** Collects what a sink receives into lists, for {@link #read}. */
  private static final class Collected implements Sink {
    StoredMeta meta;
    ClusterSettings settings;
    final List<Service> services = new ArrayList<>();
    final Map<InetAddress, ServiceKey> vips = new HashMap<>();
    final List<VipHold> holds = new ArrayList<>();
    final List<NodeRecord> nodes = new ArrayList<>();
    final List<Lease> leases = new ArrayList<>();

    @Override
    public void meta(StoredMeta m) {
      meta = m;
    }

    @Override
    public void settings(ClusterSettings s) {
      settings = s;
    }

    @Override
    public ServiceKey addService(StoredService stored) throws CodecException {
      Service s = stored.toService();
      ServiceKey other = s.vip4() == null ? null : vips.get(s.vip4());
      if (other == null && s.vip6() != null) {
        other = vips.get(s.vip6());
      }
      if (other != null) {
        return other;
      }
      if (s.vip4() != null) {
        vips.put(s.vip4(), s.key());
      }
      if (s.vip6() != null) {
        vips.put(s.vip6(), s.key());
      }
      services.add(s);
      return null;
    }

    @Override
    public ServiceKey vipOwner(InetAddress vip) {
      return vips.get(vip);
    }

    @Override
    public long vipCount() {
      return vips.size();
    }

    @Override
    public void addHold(VipHold h) {
      holds.add(h);
    }

    @Override
    public void addNode(NodeRecord n) {
      nodes.add(n);
    }

    @Override
    public void addLease(Lease l) {
      leases.add(l);
    }
  }

  /**
   * Checks raw entries one at a time and hands what they hold to a {@link Sink}; the store feeds it
   * straight from its iterators, so no copy of the whole store is held. Call in the order of the
   * methods. One thread.
   */
  public static final class Loader {
    private final Sink sink;
    private final StoredService service = new StoredService();
    private long indexed;

    public Loader(Sink sink) {
      this.sink = sink;
    }

    public void meta(byte[] meta, byte[] settings) throws CodecException {
      sink.meta(meta == null ? StoredMeta.EMPTY : StoredMeta.decode(meta));
      if (settings != null) {
        sink.settings(decode("settings", null, settings, RegistryCodec::readSettings));
      }
    }

    public void service(byte[] key, byte[] value) throws CodecException {
      ServiceKey other;
      try {
        service.parse(key, value);
        other = sink.addService(service);
      } catch (CodecException e) {
        throw new CodecException("service " + text(key) + ": " + e.getMessage(), e);
      }
      if (other != null) {
        Service svc = service.toService();
        InetAddress vip = other.equals(sink.vipOwner(svc.vip4())) ? svc.vip4() : svc.vip6();
        throw new CodecException(
            "services "
                + other
                + " and "
                + svc.key()
                + " both hold VIP "
                + IpAddresses.format(vip));
      }
    }

    public void vip(byte[] key, byte[] value) throws CodecException {
      InetAddress vip = indexedVip(key);
      String text = IpAddresses.format(vip);
      ServiceKey owner;
      try {
        owner = ServiceKey.parse(new String(value, StandardCharsets.UTF_8));
      } catch (ValidationException ex) {
        throw new CodecException(
            "VIP index entry for " + text + " names no service: " + ex.getMessage());
      }
      ServiceKey expected = sink.vipOwner(vip);
      if (!owner.equals(expected)) {
        throw new CodecException(
            "VIP index says " + text + " belongs to " + owner + ", services say " + expected);
      }
      indexed++;
    }

    public void vipsDone() throws CodecException {
      if (indexed != sink.vipCount()) {
        throw new CodecException(
            "VIP index has " + indexed + " entries, services hold " + sink.vipCount());
      }
    }

    public void hold(byte[] key, byte[] value) throws CodecException {
      VipHold h = decode("hold", key, value, RegistryCodec::readHold);
      checkKey("hold", key, h.vip().getAddress());
      sink.addHold(h);
    }

    public void node(byte[] key, byte[] value) throws CodecException {
      NodeRecord n = decode("node", key, value, RegistryCodec::readNode);
      checkKey("node", key, n.id().getBytes(StandardCharsets.UTF_8));
      sink.addNode(n);
    }

    public void lease(byte[] key, byte[] value) throws CodecException {
      Lease l = decode("lease", key, value, RegistryCodec::readLease);
      checkKey("lease", key, leaseKey(l.id()));
      sink.addLease(l);
    }
  }

  /** The store key of lease {@code id}: its 8 bytes, big-endian. */
  static byte[] leaseKey(long id) {
    byte[] k = new byte[8];
    for (int i = 0; i < 8; i++) {
      k[i] = (byte) (id >>> (56 - 8 * i));
    }
    return k;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(ByteSource in) throws CodecException;
  }

  /** Decodes one whole stored value, saying which one (its kind and key) in the error. */
  private static <T> T decode(String kind, byte[] key, byte[] value, Reader<T> reader)
      throws CodecException {
    try {
      ByteSource in = new ByteSource(value);
      T t = reader.read(in);
      in.expectEnd(kind);
      return t;
    } catch (CodecException e) {
      throw new CodecException(
          (key == null ? kind : kind + " " + text(key)) + ": " + e.getMessage(), e);
    }
  }

  /** A key as text if it is printable ASCII, else as hex. */
  private static String text(byte[] key) {
    for (byte c : key) {
      if (c < 0x20 || c > 0x7e) {
        return "0x" + HexFormat.of().formatHex(key);
      }
    }
    return new String(key, StandardCharsets.US_ASCII);
  }

  private static InetAddress indexedVip(byte[] key) throws CodecException {
    if (key.length != 4 && key.length != 16) {
      throw new CodecException("VIP index key of " + key.length + " bytes (expected: 4 or 16)");
    }
    try {
      return key.length == 4
          ? InetAddress.getByAddress(key)
          : Inet6Address.getByAddress(null, key, -1);
    } catch (UnknownHostException e) {
      throw new CodecException("VIP index key: " + e.getMessage(), e);
    }
  }

  private static void checkKey(String what, byte[] stored, byte[] expected) throws CodecException {
    if (!Arrays.equals(stored, expected)) {
      throw new CodecException(
          what
              + " stored under key "
              + HexFormat.of().formatHex(stored)
              + " belongs under "
              + HexFormat.of().formatHex(expected));
    }
  }
}
