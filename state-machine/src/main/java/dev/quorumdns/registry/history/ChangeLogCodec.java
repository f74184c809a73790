package dev.quorumdns.registry.history;

import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.RegistryCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The stored form of the change log: a record's key (revision, then service key, so keys sort by
 * revision), its value, and the log's {@link ChangeLogState}. These layouts are stored on disk and
 * travel in snapshots: change them only by adding a new format version. Stateless and thread-safe.
 *
 * <pre>
 * key    = revision (8 bytes, big-endian) || UTF-8 "namespace/name"
 * record = u8 version (1) || u8 type (1 put, 2 delete) || fixed64 log time ||
 *          put: bool previous present || [previous service] || current service
 *          delete: previous service
 * state  = u8 version (1) || varint records || varint oldest revision || varint last node or settings change
 * </pre>
 */
public final class ChangeLogCodec {
  static final int RECORD_V1 = 1;
  static final int STATE_V1 = 1;
  private static final int PUT = 1;
  private static final int DELETE = 2;
  private static final int REVISION_BYTES = 8;

  private ChangeLogCodec() {}

  /** The key a record of {@code key}'s change at {@code revision} is stored under. */
  public static byte[] key(long revision, ServiceKey key) {
    byte[] name = key.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = revisionPrefix(revision);
    out = Arrays.copyOf(out, REVISION_BYTES + name.length);
    System.arraycopy(name, 0, out, REVISION_BYTES, name.length);
    return out;
  }

  /**
   * The first possible key of {@code revision}: records of it and of later revisions sort at or
   * after it.
   */
  public static byte[] revisionPrefix(long revision) {
    byte[] out = new byte[REVISION_BYTES];
    for (int i = 0; i < REVISION_BYTES; i++) {
      out[i] = (byte) (revision >>> (56 - 8 * i));
    }
    return out;
  }

  /** The revision in a stored key. */
  public static long revisionOf(byte[] key) throws CodecException {
    if (key.length <= REVISION_BYTES) {
      throw new CodecException(
          "change log key of " + key.length + " bytes (expected: more than 8)");
    }
    long r = 0;
    for (int i = 0; i < REVISION_BYTES; i++) {
      r = (r << 8) | (key[i] & 0xff);
    }
    if (r <= 0) {
      throw new CodecException("change log key with revision " + r + " (expected: > 0)");
    }
    return r;
  }

  public static byte[] encode(ServiceChange c) {
    ByteSink out =
        new ByteSink(512)
            .u8(RECORD_V1)
            .u8(c.type() == ServiceChange.Type.PUT ? PUT : DELETE)
            .fixedLong(c.logTimeMillis());
    if (c.type() == ServiceChange.Type.PUT) {
      out.bool(c.previous() != null);
      if (c.previous() != null) {
        RegistryCodec.writeService(out, c.previous());
      }
      RegistryCodec.writeService(out, c.current());
    } else {
      RegistryCodec.writeService(out, c.previous());
    }
    return out.toByteArray();
  }

  /**
   * The record stored under {@code key} with {@code value}, checked whole: key and services must
   * agree.
   */
  public static ServiceChange decode(byte[] key, byte[] value) throws CodecException {
    long revision = revisionOf(key);
    ServiceKey serviceKey;
    try {
      serviceKey =
          ServiceKey.parse(
              new String(key, REVISION_BYTES, key.length - REVISION_BYTES, StandardCharsets.UTF_8));
    } catch (ValidationException e) {
      throw new CodecException(
          "change log key at revision " + revision + " names no service: " + e.getMessage());
    }
    String what = "change of " + serviceKey + " at revision " + revision;
    try {
      ByteSource in = new ByteSource(value);
      int version = in.u8("change format");
      if (version != RECORD_V1) {
        throw new CodecException("unknown format " + version);
      }
      int type = in.u8("change type");
      long time = in.fixedLong("change log time");
      Service previous;
      Service current;
      if (type == PUT) {
        previous = in.bool("previous present") ? RegistryCodec.readService(in) : null;
        current = RegistryCodec.readService(in);
      } else if (type == DELETE) {
        previous = RegistryCodec.readService(in);
        current = null;
      } else {
        throw new CodecException("unknown change type " + type);
      }
      in.expectEnd("change");
      if (previous != null && !previous.key().equals(serviceKey)
          || current != null && !current.key().equals(serviceKey)) {
        throw new CodecException("holds a record of another service");
      }
      return new ServiceChange(
          revision,
          serviceKey,
          type == PUT ? ServiceChange.Type.PUT : ServiceChange.Type.DELETE,
          previous,
          current,
          time);
    } catch (CodecException e) {
      throw new CodecException(what + ": " + e.getMessage(), e);
    }
  }

  /** The log time of a stored record, read without decoding its services (for pruning). */
  public static long logTimeOf(byte[] value) throws CodecException {
    ByteSource in = new ByteSource(value);
    int version = in.u8("change format");
    if (version != RECORD_V1) {
      throw new CodecException("change record: unknown format " + version);
    }
    in.u8("change type");
    return in.fixedLong("change log time");
  }

  public static byte[] encode(ChangeLogState s) {
    return new ByteSink(32)
        .u8(STATE_V1)
        .varLong(s.records())
        .varLong(s.oldestRevision())
        .varLong(s.lastNodeOrSettingsChange())
        .toByteArray();
  }

  public static ChangeLogState decodeState(byte[] b) throws CodecException {
    ByteSource in = new ByteSource(b);
    int v = in.u8("change log state format");
    if (v != STATE_V1) {
      throw new CodecException("change log state: unknown format " + v);
    }
    long records = in.varLong("change log records");
    long oldest = in.varLong("change log oldest revision");
    long last = in.varLong("change log last node or settings change");
    in.expectEnd("change log state");
    if (records < 0 || oldest < 0 || last < 0) {
      throw new CodecException("change log state: negative count or revision");
    }
    return new ChangeLogState(records, oldest, last);
  }
}
