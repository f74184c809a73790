package dev.quorumdns.dns.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The "slip" form of an answer held back by rate limiting: the same id, opcode, AA, RD and CD, the
 * question and the OPT record (with its extended rcode cleared), QR and TC set, rcode NOERROR, and
 * no records; a real client retries the question over TCP. Built from our own answer's bytes,
 * without parsing records. Stateless.
 */
public final class SlipAnswer {
  private static final int HEADER = QueryKey.HEADER;
  private static final int TYPE_OPT = 41;

  private SlipAnswer() {}

  /**
   * The slip of {@code answer} (its readable bytes; neither consumed nor released), in a new
   * buffer. An answer whose sections cannot be walked (never one of ours) gives the bare header.
   */
  public static ByteBuf of(ByteBuf answer, ByteBufAllocator alloc) {
    int start = answer.readerIndex();
    int end = answer.writerIndex();
    if (end - start < HEADER) {
      return alloc.ioBuffer(0);
    }
    int qd = answer.getUnsignedShort(start + 4);
    int rrs =
        answer.getUnsignedShort(start + 6)
            + answer.getUnsignedShort(start + 8)
            + answer.getUnsignedShort(start + 10);
    int p = start + HEADER;
    int questionEnd;
    int optStart = -1;
    int optEnd = -1;
    int optFixed = -1;
    for (int i = 0; i < qd && p >= 0; i++) {
      p = skipName(answer, p, end);
      p = p < 0 || p + 4 > end ? -1 : p + 4;
    }
    questionEnd = p;
    for (int i = 0; i < rrs && p >= 0; i++) {
      int rrStart = p;
      p = skipName(answer, p, end);
      if (p < 0 || p + 10 > end) {
        p = -1;
        break;
      }
      int type = answer.getUnsignedShort(p);
      int rrEnd = p + 10 + answer.getUnsignedShort(p + 8);
      if (rrEnd > end) {
        p = -1;
        break;
      }
      if (type == TYPE_OPT && optStart < 0) {
        optStart = rrStart;
        optFixed =
            p; // type, class (payload size), TTL (extended rcode, version, flags), rdata length
        optEnd = rrEnd;
      }
      p = rrEnd;
    }
    boolean whole = p >= 0;
    ByteBuf out =
        alloc.ioBuffer(HEADER + (whole ? questionEnd - start - HEADER + optEnd - optStart : 0));
    out.writeShort(answer.getUnsignedShort(start)); // id
    out.writeByte((answer.getByte(start + 2) & 0xfd) | 0x82); // QR, opcode, AA, TC, RD
    out.writeByte(answer.getByte(start + 3) & 0xf0); // RA, Z, AD, CD; rcode NOERROR
    out.writeShort(whole ? qd : 0);
    out.writeShort(0);
    out.writeShort(0);
    out.writeShort(whole && optStart >= 0 ? 1 : 0);
    if (whole) {
      out.writeBytes(answer, start + HEADER, questionEnd - start - HEADER);
      if (optStart >= 0) {
        int extendedRcode = out.writerIndex() + (optFixed - optStart) + 4;
        out.writeBytes(answer, optStart, optEnd - optStart);
        out.setByte(extendedRcode, 0);
      }
    }
    return out;
  }

  /**
   * The index after the name at {@code p}, or -1 if it runs past {@code end}; a pointer ends a
   * name.
   */
  private static int skipName(ByteBuf b, int p, int end) {
    for (int labels = 0; p < end && labels < 128; labels++) {
      int len = b.getUnsignedByte(p);
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2 <= end ? p + 2 : -1;
      }
      if (len > 63) {
        return -1;
      }
      p += len + 1;
    }
    return -1;
  }
}
