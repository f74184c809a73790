package dev.quorumdns.registry.testing;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.state.Registry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Real registries (RocksDB on disk) for tests of this and other modules. Entries are applied at the next
 * index of term 1 with a fixed log time unless given one. Not thread-safe.
 */
public final class TestRegistries {
  /** The log time every helper here uses unless told otherwise. */
  public static final long T0 = 1_700_000_000_000L;

  private TestRegistries() {}

  /** A loaded registry in {@code dir}, initialised with {@code settings}. */
  public static Registry open(Path dir, ClusterSettings settings) {
    Registry r = new Registry(dir, new SimpleMeterRegistry());
    try {
      r.load();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    apply(r, new Command.InitCluster(settings));
    return r;
  }

  /** Applies {@code command} at the next index, log time {@link #T0}. */
  public static Outcome apply(Registry r, Command command) {
    return apply(r, command, T0);
  }

  /** Applies {@code command} at the next index with the given log time. */
  public static Outcome apply(Registry r, Command command, long timeMillis) {
    try {
      return r.apply(1, r.meta().appliedIndex() + 1, new LogEntry(timeMillis, command));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registers a service and returns it; fails if the registry refuses. */
  public static Service register(Registry r, String namespace, String name, ServiceSpec spec) {
    Outcome o = apply(r, new Command.UpsertService(new ServiceKey(namespace, name), spec));
    if (o instanceof Outcome.Written w) {
      return w.service();
    }
    throw new IllegalStateException("registration of " + namespace + "/" + name + " refused: " + o);
  }
}
