package dev.quorumdns.dns.transfer;

import dev.quorumdns.registry.RegistrySnapshot;
import java.io.IOException;

/** Opens consistent reads of the local replica ({@code Registry::snapshot}). Any thread. */
@FunctionalInterface
public interface SnapshotSource {
  RegistrySnapshot open() throws IOException;
}
