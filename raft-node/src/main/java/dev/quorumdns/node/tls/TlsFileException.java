package dev.quorumdns.node.tls;

import java.nio.file.Path;

/** A certificate, key or CA file that cannot be used; the message starts with the file's path. */
public final class TlsFileException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  public TlsFileException(Path file, String reason) {
    super(file + ": " + reason);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
