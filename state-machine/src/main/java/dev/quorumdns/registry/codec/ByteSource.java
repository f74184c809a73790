package dev.quorumdns.registry.codec;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link ByteSink} writes, checking every length against what is left. Not thread-safe.
 */
public final class ByteSource {
  private final byte[] buf;
  private int pos;
  private final int end;

  public ByteSource(byte[] buf) {
    this(buf, 0, buf.length);
  }

  public ByteSource(byte[] buf, int offset, int length) {
    this.buf = buf;
    this.pos = offset;
    this.end = offset + length;
  }

  public int remaining() {
    return end - pos;
  }

  private void need(int n, String what) throws CodecException {
    if (n < 0 || n > end - pos) {
      throw new CodecException(
          "truncated: "
              + what
              + " needs "
              + n
              + " bytes at offset "
              + pos
              + ", "
              + (end - pos)
              + " left");
    }
  }

  /** The next byte without consuming it; there must be one ({@link #remaining()} > 0). */
  public int peek() {
    return buf[pos] & 0xff;
  }

  public int u8(String what) throws CodecException {
    need(1, what);
    return buf[pos++] & 0xff;
  }

  public boolean bool(String what) throws CodecException {
    int v = u8(what);
    if (v > 1) {
      throw new CodecException(what + ": bad flag " + v);
    }
    return v == 1;
  }

  /**
   * Unsigned LEB128 as {@link ByteSink#varLong} writes it: at most 64 bits, no needless trailing
   * zero byte.
   */
  public long varLong(String what) throws CodecException {
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

  /** A varint that must lie in {@code 0..max}. */
  public int count(String what, int max) throws CodecException {
    long v = varLong(what);
    if (v < 0 || v > max) {
      throw new CodecException(what + ": " + v + " (expected: 0.." + max + ")");
    }
    return (int) v;
  }

  public long fixedLong(String what) throws CodecException {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (buf[pos++] & 0xff);
    }
    return v;
  }

  public byte[] bytes(String what, int max) throws CodecException {
    int n = count(what + " length", max);
    need(n, what);
    byte[] b = new byte[n];
    System.arraycopy(buf, pos, b, 0, n);
    pos += n;
    return b;
  }

  public String string(String what, int maxBytes) throws CodecException {
    byte[] b = bytes(what, maxBytes);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CodecException(what + ": not UTF-8", e);
    }
  }

  public String optString(String what, int maxBytes) throws CodecException {
    return bool(what + " present") ? string(what, maxBytes) : null;
  }

  /** An address, or null when its length byte is 0. */
  public InetAddress address(String what) throws CodecException {
    int n = u8(what + " length");
    if (n == 0) {
      return null;
    }
    if (n != 4 && n != 16) {
      throw new CodecException(what + ": address length " + n + " (expected: 4 or 16)");
    }
    need(n, what);
    byte[] b = new byte[n];
    System.arraycopy(buf, pos, b, 0, n);
    pos += n;
    try {
      // Inet6Address even for IPv4-mapped bytes, so a 16-byte field always decodes to an IPv6
      // address.
      return n == 4 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new CodecException(what + ": bad address", e);
    }
  }

  public void expectEnd(String what) throws CodecException {
    if (pos != end) {
      throw new CodecException(what + ": " + (end - pos) + " unexpected trailing bytes");
    }
  }
}
