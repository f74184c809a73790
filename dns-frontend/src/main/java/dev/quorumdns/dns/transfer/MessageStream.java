package dev.quorumdns.dns.transfer;

/**
 * The messages of one multi-message answer (a zone transfer), produced one at a time so a zone of
 * any size never sits in memory whole. Confined to one thread at a time; {@link #close()} is
 * idempotent and must be called, finished or not.
 */
public interface MessageStream extends AutoCloseable {
  /**
   * The next message's wire bytes, or null after the last one. May read the store.
   *
   * @throws java.io.UncheckedIOException if the store can no longer be read (the answer cannot be
   *     completed)
   */
  byte[] next();

  @Override
  void close();
}
