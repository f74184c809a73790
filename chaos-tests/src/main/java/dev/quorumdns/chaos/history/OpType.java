package dev.quorumdns.chaos.history;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Jepsen's event types: an operation is an {@code invoke} followed by exactly one completion,
 * {@code ok} (happened), {@code fail} (definitely did not happen) or {@code info} (unknown: it may
 * have happened, at any time after its invocation).
 */
public enum OpType {
  INVOKE,
  OK,
  FAIL,
  INFO;

  @JsonValue
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static OpType parse(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }

  public boolean isCompletion() {
    return this != INVOKE;
  }
}
