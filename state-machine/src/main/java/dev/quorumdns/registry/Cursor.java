package dev.quorumdns.registry;

import java.util.Iterator;

/**
 * An iterator over values read from the store one at a time, holding a native iterator until
 * closed. A value that cannot be read (a corrupt store, or a snapshot closed because the store was
 * closed or replaced) ends the iteration with an {@link java.io.UncheckedIOException}. Confined to
 * the thread that opened it.
 */
public interface Cursor<T> extends Iterator<T>, AutoCloseable {
  @Override
  void close();
}
