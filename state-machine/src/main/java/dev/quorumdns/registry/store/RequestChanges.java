package dev.quorumdns.registry.store;

import java.util.List;

/**
 * What one applied entry changes in the remembered requests: the request to remember (key and
 * value, both null if none) and the keys of those that aged out.
 */
public record RequestChanges(byte[] key, byte[] value, List<byte[]> expired) {
  public RequestChanges {
    expired = List.copyOf(expired);
  }
}
