package dev.quorumdns.registry.store;

import dev.quorumdns.registry.codec.CodecException;

/** Test access to {@link StoredMeta}'s package-private codec. */
public final class StoredMetaCodecAccess {
  public static final StoredMeta SAMPLE = new StoredMeta(3, 1234, 1200, 1_700_000_000_123L);

  private StoredMetaCodecAccess() {}

  public static byte[] encode(StoredMeta m) {
    return m.encode();
  }

  public static StoredMeta decode(byte[] b) throws CodecException {
    return StoredMeta.decode(b);
  }
}
