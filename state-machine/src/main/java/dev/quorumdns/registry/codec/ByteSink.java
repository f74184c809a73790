package dev.quorumdns.registry.codec;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer with the primitive encodings of our formats. Not thread-safe.
 */
public final class ByteSink {
  private byte[] buf;
  private int size;

  public ByteSink() {
    this(64);
  }

  public ByteSink(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  private void ensure(int extra) {
    if (size + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
    }
  }

  public ByteSink u8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  public ByteSink bool(boolean v) {
    return u8(v ? 1 : 0);
  }

  /** Unsigned LEB128. */
  public ByteSink varLong(long v) {
    ensure(10);
    while ((v & ~0x7fL) != 0) {
      buf[size++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
    return this;
  }

  public ByteSink fixedLong(long v) {
    ensure(8);
    for (int i = 7; i >= 0; i--) {
      buf[size++] = (byte) (v >>> (8 * i));
    }
    return this;
  }

  public ByteSink bytes(byte[] b) {
    varLong(b.length);
    raw(b);
    return this;
  }

  public ByteSink raw(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  public ByteSink string(String s) {
    return bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A string preceded by a presence flag. */
  public ByteSink optString(String s) {
    bool(s != null);
    return s == null ? this : string(s);
  }

  /** An address as its length (4 or 16) and bytes; 0 for null. */
  public ByteSink address(InetAddress a) {
    if (a == null) {
      return u8(0);
    }
    byte[] b = a.getAddress();
    u8(b.length);
    return raw(b);
  }

  public int size() {
    return size;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }
}
