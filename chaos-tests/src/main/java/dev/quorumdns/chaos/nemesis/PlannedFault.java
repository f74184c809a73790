package dev.quorumdns.chaos.nemesis;

import dev.quorumdns.chaos.history.FaultKind;
import java.time.Duration;

/**
 * One fault of a schedule: inject {@code kind} at {@code at} after the start and heal it {@code
 * hold} later.
 */
public record PlannedFault(Duration at, FaultKind kind, Duration hold) {}
