package dev.quorumdns.cli;

import java.nio.file.Path;

/** A certificate, key or CA file the CLI cannot use; the message starts with the file's path. */
public final class PemException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  public PemException(Path file, String reason) {
    super(file + ": " + reason);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
