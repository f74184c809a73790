package dev.quorumdns.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xbill.DNS.Rcode;

/**
 * The hostile DNS packets of issue 7, each with the result the server owes it: an rcode, or {@link
 * #DROPPED} (no answer, counted as malformed). Built byte by byte, since most are messages no
 * library would write.
 */
final class HostilePackets {
  /** Expected when the packet gets no answer at all. */
  static final int DROPPED = -1;

  private static final int TYPE_A = 1;
  private static final int IN = 1;

  /** {@code mesh.internal.} in wire form. */
  private static final byte[] ZONE = name2("mesh", "internal");

  /**
   * One case.
   *
   * @param tcpOnly too big for a UDP query (over 1232 bytes): sent over TCP only
   */
  record Case(String name, byte[] packet, int expected, boolean tcpOnly) {
    int id() {
      return packet.length >= 2 ? (packet[0] & 0xff) << 8 | (packet[1] & 0xff) : -1;
    }

    String expectation() {
      return expected == DROPPED ? "dropped" : Rcode.string(expected);
    }

    @Override
    public String toString() {
      return name + " -> " + expectation();
    }
  }

  private HostilePackets() {}

  static List<Case> all() {
    List<Case> out = new ArrayList<>();
    byte[] good = query(0x4242, 0x01, 1, 0, 0, 0, question(name("web", "prod"), TYPE_A, IN));
    for (int n = 0; n < 12; n++) {
      out.add(
          new Case("truncated header, " + n + " bytes", Arrays.copyOf(good, n), DROPPED, false));
    }
    out.add(new Case("header only, QDCOUNT 1", Arrays.copyOf(good, 12), Rcode.FORMERR, false));
    out.add(
        new Case("question cut inside its name", Arrays.copyOf(good, 16), Rcode.FORMERR, false));
    out.add(
        new Case(
            "question cut before its class",
            Arrays.copyOf(good, good.length - 2),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "pointer to itself",
            query(0x0101, 1, 1, 0, 0, 0, bytes(0xc0, 12, 0, TYPE_A, 0, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "pointer loop through a label",
            query(0x0102, 1, 1, 0, 0, 0, bytes(1, 'a', 0xc0, 12, 0, TYPE_A, 0, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "two pointers pointing at each other",
            query(
                0x0103,
                1,
                1,
                0,
                1,
                0,
                cat(
                    bytes(
                        0xc0, 12 + 6, 0, TYPE_A, 0,
                        IN), // question: pointer to the authority record's name
                    bytes(0xc0, 12, 0, TYPE_A, 0, IN, 0, 0, 0, 60, 0, 0))),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "pointer forward",
            query(0x0104, 1, 1, 0, 0, 0, cat(bytes(0xc0, 12 + 6, 0, TYPE_A, 0, IN), ZONE)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "pointer past the end",
            query(0x0105, 1, 1, 0, 0, 0, bytes(0xff, 0xff, 0, TYPE_A, 0, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "pointer cut in half",
            query(0x0106, 1, 1, 0, 0, 0, bytes(0xc0)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "ARCOUNT 3, no records",
            query(0x0201, 1, 1, 0, 0, 3, question(name("web", "prod"), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "QDCOUNT 5, one question",
            query(0x0202, 1, 5, 0, 0, 0, question(name("web", "prod"), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "ANCOUNT 65535, no records",
            query(0x0203, 1, 1, 0xffff, 0, 0, question(name("web", "prod"), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(new Case("QDCOUNT 0", query(0x0301, 1, 0, 0, 0, 0, new byte[0]), Rcode.FORMERR, false));
    out.add(
        new Case(
            "QDCOUNT 2",
            query(
                0x0302,
                1,
                2,
                0,
                0,
                0,
                cat(
                    question(name("web", "prod"), TYPE_A, IN),
                    question(name("db", "prod"), TYPE_A, IN))),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "QR set: a response",
            query(0x0401, 0x81, 1, 0, 0, 0, question(name("web", "prod"), TYPE_A, IN)),
            DROPPED,
            false));
    out.add(
        new Case(
            "QR set, header only", query(0x0402, 0x80, 0, 0, 0, 0, new byte[0]), DROPPED, false));
    for (int cls : new int[] {3, 4, 254, 255, 1234}) {
      out.add(
          new Case(
              "class " + cls,
              query(
                  0x0500 + (cls & 0xff), 1, 1, 0, 0, 0, question(name("web", "prod"), TYPE_A, cls)),
              Rcode.REFUSED,
              false));
    }
    out.add(
        new Case(
            "name of 255 octets in the zone",
            query(0x0601, 1, 1, 0, 0, 0, question(longName(47, ZONE), TYPE_A, IN)),
            Rcode.NXDOMAIN,
            false));
    out.add(
        new Case(
            "name of 255 octets outside the zones",
            query(
                0x0602, 1, 1, 0, 0, 0, question(longName(49, name2("example", "com")), TYPE_A, IN)),
            Rcode.REFUSED,
            false));
    out.add(
        new Case(
            "name of 256 octets",
            query(0x0603, 1, 1, 0, 0, 0, question(longName(48, ZONE), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "name of 402 octets",
            query(
                0x0604,
                1,
                1,
                0,
                0,
                0,
                question(longName(48, cat(label(63), label(63), label(17), ZONE)), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "pointer back to the name's start (over 255 octets)",
            query(
                0x0605,
                1,
                1,
                0,
                0,
                0,
                question(
                    cat(label(63), label(63), label(63), label(47), bytes(0xc0, 12)), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "label of 63 octets",
            query(0x0701, 1, 1, 0, 0, 0, question(cat(label(63), ZONE), TYPE_A, IN)),
            Rcode.NXDOMAIN,
            false));
    out.add(
        new Case(
            "label of 64 octets",
            query(0x0702, 1, 1, 0, 0, 0, question(cat(label(64), ZONE), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "label type 0x80 (reserved)",
            query(0x0703, 1, 1, 0, 0, 0, question(cat(bytes(0x80), ZONE), TYPE_A, IN)),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "OPT with 1,000 bytes of unknown options",
            query(
                0x0801,
                1,
                1,
                0,
                0,
                1,
                cat(question(name("web", "prod"), TYPE_A, IN), opt(options(100, 6)))),
            Rcode.NOERROR,
            false));
    out.add(
        new Case(
            "OPT with one option of 65,000 bytes",
            query(
                0x0802,
                1,
                1,
                0,
                0,
                1,
                cat(question(name("web", "prod"), TYPE_A, IN), opt(options(1, 65_000)))),
            Rcode.NOERROR,
            true));
    out.add(
        new Case(
            "OPT with 16,000 empty options",
            query(
                0x0803,
                1,
                1,
                0,
                0,
                1,
                cat(question(name("web", "prod"), TYPE_A, IN), opt(options(16_000, 0)))),
            Rcode.NOERROR,
            true));
    out.add(
        new Case(
            "OPT option longer than the OPT",
            query(
                0x0804,
                1,
                1,
                0,
                0,
                1,
                cat(
                    question(name("web", "prod"), TYPE_A, IN),
                    opt(bytes(0xfd, 0xe9, 0x10, 0x00, 1, 2, 3)))),
            Rcode.FORMERR,
            false));
    out.add(
        new Case(
            "OPT rdata past the end",
            query(
                0x0805,
                1,
                1,
                0,
                0,
                1,
                cat(
                    question(name("web", "prod"), TYPE_A, IN),
                    bytes(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0xff, 0xff, 1, 2))),
            Rcode.FORMERR,
            false));
    out.add(new Case("an ordinary query", good, Rcode.NOERROR, false));
    return out;
  }

  /** A header with these fields (flags: the third and fourth byte) followed by {@code body}. */
  static byte[] query(int id, int flags, int qd, int an, int ns, int ar, byte[] body) {
    byte[] h = bytes(id >> 8, id, flags, 0, qd >> 8, qd, an >> 8, an, ns >> 8, ns, ar >> 8, ar);
    return cat(h, body);
  }

  static byte[] question(byte[] name, int type, int cls) {
    return cat(name, bytes(type >> 8, type, cls >> 8, cls));
  }

  /** {@code labels...mesh.internal.} in wire form. */
  static byte[] name(String... labels) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String l : labels) {
      out.write(l.length());
      out.writeBytes(l.getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes(ZONE);
    return out.toByteArray();
  }

  /** {@code labels...} ending at the root, in wire form. */
  static byte[] name2(String... labels) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String l : labels) {
      out.write(l.length());
      out.writeBytes(l.getBytes(StandardCharsets.US_ASCII));
    }
    out.write(0);
    return out.toByteArray();
  }

  /** A label of {@code n} 'x' octets (its length byte is n, even past 63). */
  static byte[] label(int n) {
    byte[] l = new byte[n + 1];
    Arrays.fill(l, (byte) 'x');
    l[0] = (byte) n;
    return l;
  }

  /** Three labels of 63 octets, one of {@code last}, then {@code tail}. */
  static byte[] longName(int last, byte[] tail) {
    return cat(label(63), label(63), label(63), label(last), tail);
  }

  /** An OPT record at the root, payload 1232, version 0, with {@code rdata} as its options. */
  static byte[] opt(byte[] rdata) {
    return cat(bytes(0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, rdata.length >> 8, rdata.length), rdata);
  }

  /** {@code n} options of code 65001 (local use), each with {@code size} bytes of data. */
  static byte[] options(int n, int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      out.writeBytes(bytes(0xfd, 0xe9, size >> 8, size));
      out.writeBytes(new byte[size]);
    }
    return out.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
