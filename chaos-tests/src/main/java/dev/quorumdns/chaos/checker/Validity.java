package dev.quorumdns.chaos.checker;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** A checker's verdict. Composition follows Jepsen: invalid beats unknown beats valid. */
public enum Validity {
  VALID,
  UNKNOWN,
  INVALID;

  public Validity and(Validity other) {
    return compareTo(other) >= 0 ? this : other;
  }

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
