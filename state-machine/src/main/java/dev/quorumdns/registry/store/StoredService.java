package dev.quorumdns.registry.store;

import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One stored service value (as {@link RegistryCodec#writeService} lays it out) read in place:
 * {@link #parse} checks its structure, its key (two lower-case DNS labels, matching the store key),
 * its VIPs (none when the spec, in format 2, is headless) and revisions, and finds the spec's bytes
 * and the lease ids its endpoints name without building objects. The spec itself is checked by
 * decoding it, once per distinct encoding: services registered with the same ports, endpoints and
 * labels share the check. What a service holds is read through the accessors; {@link #toService}
 * builds it.
 *
 * <p>Reused for every value of one load; confined to the loading thread.
 */
public final class StoredService {
  private static final int MAX_CHECKED_SPECS = 4096;
  private static final byte[] RESERVED =
      ServiceKey.RESERVED_NAMESPACE.getBytes(StandardCharsets.US_ASCII);

  private final Map<Integer, byte[]> checkedSpecs = new HashMap<>();
  private byte[] value;
  private int nsOffset;
  private int nsLength;
  private int nameOffset;
  private int nameLength;
  private int specOffset;
  private int specEnd;
  private int vip4Offset;
  private int vip6Offset;
  private long revision;
  private long createRevision;
  private boolean headless;
  private long[] leases = new long[4];
  private int leaseCount;
  private int pos;

  /**
   * Reads {@code value}, stored under {@code key}; the accessors then describe it until the next
   * call.
   */
  public void parse(byte[] key, byte[] value) throws CodecException {
    this.value = value;
    pos = 0;
    nsLength = count("namespace length", 63);
    nsOffset = skip(nsLength, "namespace");
    nameLength = count("name length", 63);
    nameOffset = skip(nameLength, "name");
    checkLabel("namespace", nsOffset, nsLength);
    checkLabel("name", nameOffset, nameLength);
    if (Arrays.equals(value, nsOffset, nsOffset + nsLength, RESERVED, 0, RESERVED.length)) {
      throw new CodecException("namespace: 'node' is reserved for node records");
    }
    specOffset = pos;
    skipSpec();
    specEnd = pos;
    int four = u8("vip4 length");
    if (four != (headless ? 0 : 4)) {
      throw new CodecException(
          headless
              ? "invalid value: a headless service holds no VIP"
              : "vip4: not an IPv4 address");
    }
    vip4Offset = headless ? -1 : skip(4, "vip4");
    int six = u8("vip6 length");
    if (six != 0 && six != 16) {
      throw new CodecException("vip6: address length " + six + " (expected: 0 or 16)");
    }
    if (six != 0 && headless) {
      throw new CodecException("invalid value: a headless service holds no VIP");
    }
    vip6Offset = six == 0 ? -1 : skip(16, "vip6");
    revision = varLong("revision");
    createRevision = varLong("createRevision");
    if (pos != value.length) {
      throw new CodecException((value.length - pos) + " unexpected trailing bytes");
    }
    if (createRevision <= 0 || revision < createRevision) {
      throw new CodecException("invalid value: revisions " + createRevision + ".." + revision);
    }
    checkStoreKey(key);
    checkSpec();
  }

  /** The value last parsed (not copied: callers must not change it). */
  public byte[] value() {
    return value;
  }

  public int namespaceOffset() {
    return nsOffset;
  }

  public int namespaceLength() {
    return nsLength;
  }

  public int nameOffset() {
    return nameOffset;
  }

  public int nameLength() {
    return nameLength;
  }

  /** Where the spec's encoding starts in {@link #value}; it ends at {@link #specEnd}. */
  public int specOffset() {
    return specOffset;
  }

  public int specEnd() {
    return specEnd;
  }

  /** Where the 4 bytes of the IPv4 VIP start, or -1 if the service has none (it is headless). */
  public int vip4Offset() {
    return vip4Offset;
  }

  /** How many of its endpoints name a lease. */
  public int leaseCount() {
    return leaseCount;
  }

  /** The lease ids its endpoints name, in endpoint order (a copy). */
  public long[] leaseIds() {
    return Arrays.copyOf(leases, leaseCount);
  }

  /** Where the 16 bytes of the IPv6 VIP start, or -1 if the service has none. */
  public int vip6Offset() {
    return vip6Offset;
  }

  public long revision() {
    return revision;
  }

  public long createRevision() {
    return createRevision;
  }

  public ServiceKey key() {
    return new ServiceKey(text(nsOffset, nsLength), text(nameOffset, nameLength));
  }

  /** The service the value holds, decoded and checked field by field. */
  public Service toService() throws CodecException {
    ByteSource in = new ByteSource(value);
    Service s = RegistryCodec.readService(in);
    in.expectEnd("service");
    return s;
  }

  private String text(int offset, int length) {
    return new String(value, offset, length, StandardCharsets.ISO_8859_1);
  }

  private void checkStoreKey(byte[] key) throws CodecException {
    boolean same =
        key.length == nsLength + 1 + nameLength
            && key[nsLength] == '/'
            && Arrays.equals(key, 0, nsLength, value, nsOffset, nsOffset + nsLength)
            && Arrays.equals(
                key, nsLength + 1, key.length, value, nameOffset, nameOffset + nameLength);
    if (!same) {
      throw new CodecException("stored under the wrong key: it belongs under " + key());
    }
  }

  /** Decodes the spec unless the same bytes were decoded before in this load. */
  private void checkSpec() throws CodecException {
    int h = 1;
    for (int i = specOffset; i < specEnd; i++) {
      h = 31 * h + value[i];
    }
    byte[] known = checkedSpecs.get(h);
    if (known != null && Arrays.equals(known, 0, known.length, value, specOffset, specEnd)) {
      return;
    }
    ByteSource in = new ByteSource(value, specOffset, specEnd - specOffset);
    ServiceSpec spec = RegistryCodec.readSpec(in);
    in.expectEnd("spec");
    if (spec.vip4() != null || spec.vip6() != null) {
      throw new CodecException("spec: carries VIP requests (a stored spec never does)");
    }
    if (checkedSpecs.size() < MAX_CHECKED_SPECS) {
      checkedSpecs.putIfAbsent(h, Arrays.copyOfRange(value, specOffset, specEnd));
    }
  }

  /**
   * Finds the end of a spec's encoding (format 1 or 2); its contents are checked by {@link
   * #checkSpec}.
   */
  private void skipSpec() throws CodecException {
    boolean v2 = pos < value.length && (value[pos] & 0xff) == RegistryCodec.SPEC_V2;
    headless = false;
    leaseCount = 0;
    if (v2) {
      pos++;
      headless = (u8("spec flags") & 1) != 0;
    }
    int ports = count("ports", ServiceSpec.MAX_PORTS);
    for (int i = 0; i < ports; i++) {
      if (u8("port name present") != 0) {
        skip(count("port name length", 63), "port name");
      }
      u8("protocol");
      varLong("port");
    }
    int endpoints = count("endpoints", ServiceSpec.MAX_ENDPOINTS);
    for (int i = 0; i < endpoints; i++) {
      skip(count("endpoint address length", 4096), "endpoint address");
      if (u8("endpoint port present") != 0) {
        varLong("endpoint port");
      }
      if (u8("endpoint weight present") != 0) {
        varLong("endpoint weight");
      }
      if (v2) {
        u8("endpoint health");
        if (u8("endpoint lease present") != 0) {
          int at = skip(8, "endpoint lease");
          long id = 0;
          for (int b = 0; b < 8; b++) {
            id = (id << 8) | (value[at + b] & 0xff);
          }
          if (leaseCount == leases.length) {
            leases = Arrays.copyOf(leases, leaseCount * 2);
          }
          leases[leaseCount++] = id;
        }
      }
    }
    int labels = count("labels", ServiceSpec.MAX_LABELS);
    for (int i = 0; i < labels; i++) {
      skip(count("label key length", 4096), "label key");
      skip(count("label value length", 4 * ServiceSpec.MAX_LABEL_VALUE_LENGTH), "label value");
    }
    skip(u8("spec vip4 length"), "spec vip4");
    skip(u8("spec vip6 length"), "spec vip6");
  }

  private void checkLabel(String field, int offset, int length) throws CodecException {
    boolean ok = length > 0;
    for (int i = 0; i < length && ok; i++) {
      byte c = value[offset + i];
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      ok = alnum || (c == '-' && i > 0 && i < length - 1);
    }
    if (!ok) {
      throw new CodecException("invalid value: " + field + " is not a lower-case DNS label");
    }
  }

  private int u8(String what) throws CodecException {
    if (pos >= value.length) {
      throw new CodecException("truncated: " + what + " at offset " + pos);
    }
    return value[pos++] & 0xff;
  }

  private int skip(int n, String what) throws CodecException {
    if (n > value.length - pos) {
      throw new CodecException(
          "truncated: "
              + what
              + " needs "
              + n
              + " bytes at offset "
              + pos
              + ", "
              + (value.length - pos)
              + " left");
    }
    int at = pos;
    pos += n;
    return at;
  }

  private int count(String what, int max) throws CodecException {
    long v = varLong(what);
    if (v < 0 || v > max) {
      throw new CodecException(what + ": " + v + " (expected: 0.." + max + ")");
    }
    return (int) v;
  }

  /** Unsigned LEB128, as strict as {@link ByteSource#varLong}. */
  private long varLong(String what) throws CodecException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = u8(what);
      if (shift == 63 && b > 1) {
        throw new CodecException(what + ": varint overflows 64 bits");
      }
      if (b == 0 && shift > 0) {
        throw new CodecException(what + ": varint with a needless trailing zero byte");
      }
      v |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new CodecException(what + ": varint longer than 10 bytes");
  }
}
