package dev.quorumdns.registry.codec;

import java.io.IOException;

/** Bytes that do not decode: truncated, of an unknown version, or describing an invalid value. */
public final class CodecException extends IOException {
  private static final long serialVersionUID = 1L;

  public CodecException(String message) {
    super(message);
  }

  public CodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
