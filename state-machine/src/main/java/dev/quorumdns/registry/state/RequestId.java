package dev.quorumdns.registry.state;

import java.nio.ByteBuffer;

/**
 * Who sent a log entry and which of its calls it was: the Raft client id (16 bytes) and call id the
 * entry carries. Every attempt of one write carries the same pair, so an entry with a pair already
 * applied is a retry.
 */
public record RequestId(long clientHigh, long clientLow, long callId) {
  static final int BYTES = 24;

  /**
   * The id of a request from {@code clientId} (16 bytes), or null if the client id is not 16 bytes
   * long.
   */
  public static RequestId of(byte[] clientId, long callId) {
    if (clientId == null || clientId.length != 16) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(clientId);
    return new RequestId(b.getLong(), b.getLong(), callId);
  }

  byte[] encode() {
    return ByteBuffer.allocate(BYTES)
        .putLong(clientHigh)
        .putLong(clientLow)
        .putLong(callId)
        .array();
  }

  /** The id {@link #encode} wrote into {@code key}, which has {@link #BYTES} bytes. */
  static RequestId decode(byte[] key) {
    ByteBuffer b = ByteBuffer.wrap(key);
    return new RequestId(b.getLong(), b.getLong(), b.getLong());
  }
}
