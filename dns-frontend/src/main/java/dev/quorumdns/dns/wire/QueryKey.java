package dev.quorumdns.dns.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The answer-cache key of a <em>plain</em> query, read straight from its bytes: the question name
 * lower-cased in wire form, the query type, the EDNS facts that change the answer (present, DO,
 * NSID asked) and the size the answer must fit in. A plain query is a QUERY with one IN question
 * whose name is uncompressed, nothing in the answer and authority sections, and at most a version-0
 * OPT record; anything else is left to dnsjava's parser on the slow path. This class reads fields
 * to find a cache entry; it never builds or decodes records. Immutable once parsed.
 */
final class QueryKey {
  static final int HEADER = 12;
  private static final int TYPE_OPT = 41;
  private static final int NSID = 3;
  static final int EDNS = 1;
  static final int DO = 2;
  static final int WANTS_NSID = 4;

  private final byte[] bytes;
  private final int hash;
  final int qtype;
  final int nameLength;
  final int flags;
  final int maxSize;

  private QueryKey(byte[] bytes, int qtype, int nameLength, int flags, int maxSize) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
    this.qtype = qtype;
    this.nameLength = nameLength;
    this.flags = flags;
    this.maxSize = maxSize;
  }

  /**
   * The key of the query in {@code q}'s readable bytes (not consumed), or null if it is not a plain
   * query.
   *
   * @param tcp answers go over TCP (size limit 65535)
   * @param ourPayload our advertised EDNS payload size, the cap for UDP answers
   */
  static QueryKey parse(ByteBuf q, boolean tcp, int ourPayload) {
    int start = q.readerIndex();
    int end = q.writerIndex();
    if (end - start < HEADER + 5
        || (q.getByte(start + 2) & 0xf8) != 0 // QR = 0, opcode QUERY
        || q.getUnsignedShort(start + 4) != 1
        || q.getInt(start + 6) != 0) { // one question, AN = NS = 0
      return null;
    }
    int arcount = q.getUnsignedShort(start + 10);
    if (arcount > 1) {
      return null;
    }
    int p = start + HEADER;
    int nameLength = 0;
    while (true) {
      if (p >= end) {
        return null;
      }
      int len = q.getUnsignedByte(p);
      if (len > 63) {
        return null; // a compression pointer or a reserved label type
      }
      nameLength += len + 1;
      p += len + 1;
      if (nameLength > 255) {
        return null;
      }
      if (len == 0) {
        break;
      }
    }
    if (p + 4 > end) {
      return null;
    }
    int qtype = q.getUnsignedShort(p);
    if (q.getUnsignedShort(p + 2) != 1
        || qtype == TYPE_OPT
        || (qtype >= 249 && qtype <= 254)
        || qtype == 0) {
      return null; // class IN only; meta types, zone transfers and type 0 take the slow path
    }
    p += 4;
    int flags = 0;
    int maxSize = tcp ? 65535 : 512;
    if (arcount == 1) {
      if (p + 11 > end
          || q.getByte(p) != 0
          || q.getUnsignedShort(p + 1) != TYPE_OPT
          || q.getShort(p + 5) != 0) {
        return null; // not an OPT at the root, an extended rcode in a query, or EDNS version > 0
        // (BADVERS)
      }
      flags = EDNS | ((q.getByte(p + 7) & 0x80) != 0 ? DO : 0);
      if (!tcp) {
        maxSize = Math.max(512, Math.min(q.getUnsignedShort(p + 3), ourPayload));
      }
      int rdEnd = p + 11 + q.getUnsignedShort(p + 9);
      if (rdEnd > end) {
        return null;
      }
      p += 11;
      while (p < rdEnd) {
        if (p + 4 > rdEnd) {
          return null;
        }
        if (q.getUnsignedShort(p) == NSID) {
          flags |= WANTS_NSID;
        }
        p += 4 + q.getUnsignedShort(p + 2);
      }
      if (p != rdEnd) {
        return null;
      }
    }
    if (p != end) {
      return null; // trailing bytes
    }
    byte[] key = new byte[nameLength + 5];
    q.getBytes(start + HEADER, key, 0, nameLength);
    for (int i = 0; i < nameLength; i++) {
      byte b = key[i];
      if (b >= 'A' && b <= 'Z') {
        key[i] = (byte) (b + 32);
      }
    }
    key[nameLength] = (byte) (qtype >> 8);
    key[nameLength + 1] = (byte) qtype;
    key[nameLength + 2] = (byte) flags;
    key[nameLength + 3] = (byte) (maxSize >> 8);
    key[nameLength + 4] = (byte) maxSize;
    return new QueryKey(key, qtype, nameLength, flags, maxSize);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QueryKey k && k.hash == hash && Arrays.equals(k.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
