package dev.quorumdns.registry.store;

import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;

/**
 * Bookkeeping stored with every applied entry, in the same write batch as its data. Immutable.
 *
 * @param appliedTerm term of the last applied Raft entry
 * @param appliedIndex index of the last applied Raft entry; entries at or below it are skipped on
 *     replay
 * @param revision index of the last entry that changed the registry
 * @param logTimeMillis the latest leader timestamp applied (log time never goes backwards)
 */
public record StoredMeta(long appliedTerm, long appliedIndex, long revision, long logTimeMillis) {
  public static final StoredMeta EMPTY = new StoredMeta(0, 0, 0, 0);
  static final int FORMAT_V1 = 1;

  byte[] encode() {
    return new ByteSink(40)
        .u8(FORMAT_V1)
        .varLong(appliedTerm)
        .varLong(appliedIndex)
        .varLong(revision)
        .fixedLong(logTimeMillis)
        .toByteArray();
  }

  static StoredMeta decode(byte[] b) throws CodecException {
    ByteSource in = new ByteSource(b);
    int v = in.u8("meta format");
    if (v != FORMAT_V1) {
      throw new CodecException("meta: unknown format " + v);
    }
    StoredMeta m =
        new StoredMeta(
            in.varLong("applied term"),
            in.varLong("applied index"),
            in.varLong("revision"),
            in.fixedLong("log time"));
    in.expectEnd("meta");
    return m;
  }
}
