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
 * Decodes a store's (or a snapshot's) raw contents into a {@link StoredState}, checking every value and that
 * the VIP index agrees with the services: all of it, or a {@link CodecException} naming the first problem and
 * nothing else. Stateless and thread-safe.
 */
public final class StoredStateReader {
  private StoredStateReader() {}

  /** The whole state in {@code raw}, or a {@link CodecException} if any part of it is corrupt. */
  public static StoredState read(StoreContents raw) throws CodecException {
    StoredMeta storedMeta = raw.meta() == null ? StoredMeta.EMPTY : StoredMeta.decode(raw.meta());
    ClusterSettings settings = raw.settings() == null ? null
        : decode("settings", raw.settings(), RegistryCodec::readSettings);
    List<Service> all = new ArrayList<>();
    Map<InetAddress, ServiceKey> expectedVips = new HashMap<>();
    for (StoreContents.Entry e : raw.services()) {
      Service svc = decode("service " + text(e.key()), e.value(), RegistryCodec::readService);
      checkKey("service", e.key(), svc.key().toString().getBytes(StandardCharsets.UTF_8));
      all.add(svc);
      if (svc.vip4() != null) {
        expectVip(expectedVips, svc.vip4(), svc.key());
      }
      if (svc.vip6() != null) {
        expectVip(expectedVips, svc.vip6(), svc.key());
      }
    }
    int indexed = 0;
    for (StoreContents.Entry e : raw.vips()) {
      InetAddress vip = indexedVip(e.key());
      String text = IpAddresses.format(vip);
      ServiceKey owner;
      try {
        owner = ServiceKey.parse(new String(e.value(), StandardCharsets.UTF_8));
      } catch (ValidationException ex) {
        throw new CodecException("VIP index entry for " + text + " names no service: " + ex.getMessage());
      }
      if (!owner.equals(expectedVips.get(vip))) {
        throw new CodecException("VIP index says " + text + " belongs to " + owner + ", services say "
            + expectedVips.get(vip));
      }
      indexed++;
    }
    if (indexed != expectedVips.size()) {
      throw new CodecException("VIP index has " + indexed + " entries, services hold " + expectedVips.size());
    }
    List<VipHold> allHolds = new ArrayList<>();
    for (StoreContents.Entry e : raw.holds()) {
      VipHold h = decode("hold " + text(e.key()), e.value(), RegistryCodec::readHold);
      checkKey("hold", e.key(), h.vip().getAddress());
      allHolds.add(h);
    }
    List<NodeRecord> allNodes = new ArrayList<>();
    for (StoreContents.Entry e : raw.nodes()) {
      NodeRecord n = decode("node " + text(e.key()), e.value(), RegistryCodec::readNode);
      checkKey("node", e.key(), n.id().getBytes(StandardCharsets.UTF_8));
      allNodes.add(n);
    }
    List<Lease> allLeases = new ArrayList<>();
    for (StoreContents.Entry e : raw.leases()) {
      Lease l = decode("lease " + text(e.key()), e.value(), RegistryCodec::readLease);
      checkKey("lease", e.key(), leaseKey(l.id()));
      allLeases.add(l);
    }
    return new StoredState(storedMeta, settings, all, allHolds, allNodes, allLeases);
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

  /** Decodes one whole stored value, saying which one in the error. */
  private static <T> T decode(String what, byte[] value, Reader<T> reader) throws CodecException {
    try {
      ByteSource in = new ByteSource(value);
      T t = reader.read(in);
      in.expectEnd(what);
      return t;
    } catch (CodecException e) {
      throw new CodecException(what + ": " + e.getMessage(), e);
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

  private static void expectVip(Map<InetAddress, ServiceKey> expected, InetAddress vip, ServiceKey key)
      throws CodecException {
    ServiceKey other = expected.put(vip, key);
    if (other != null) {
      throw new CodecException("services " + other + " and " + key + " both hold VIP " + IpAddresses.format(vip));
    }
  }

  private static InetAddress indexedVip(byte[] key) throws CodecException {
    if (key.length != 4 && key.length != 16) {
      throw new CodecException("VIP index key of " + key.length + " bytes (expected: 4 or 16)");
    }
    try {
      return key.length == 4 ? InetAddress.getByAddress(key) : Inet6Address.getByAddress(null, key, -1);
    } catch (UnknownHostException e) {
      throw new CodecException("VIP index key: " + e.getMessage(), e);
    }
  }

  private static void checkKey(String what, byte[] stored, byte[] expected) throws CodecException {
    if (!Arrays.equals(stored, expected)) {
      throw new CodecException(what + " stored under key " + HexFormat.of().formatHex(stored) + " belongs under "
          + HexFormat.of().formatHex(expected));
    }
  }
}
