package dev.quorumdns.registry.codec;

import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.command.Precondition;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned binary format of an {@link Outcome}, carried back from the applying replica to the
 * client in the Raft reply. First byte {@value #OUTCOME_V1}, or {@value #OUTCOME_V2} when the
 * outcome holds a written or deleted service with its log time (tags 16 and 17: as tags 1 and 2
 * followed by the fixed-width log time in milliseconds); an outcome without a log time is written
 * in version 1. A precondition failure (tag 15) is written as {@code key || precondition (as in
 * CommandCodec version 2) || varint current revision}. Stateless and thread-safe.
 */
public final class OutcomeCodec {
  public static final int OUTCOME_V1 = 0x4f;
  public static final int OUTCOME_V2 = 0x50;

  private static final int WRITTEN = 1;
  private static final int DELETED = 2;
  private static final int NOT_FOUND = 3;
  private static final int CONFLICT = 4;
  private static final int INVALID = 5;
  private static final int POOL_EXHAUSTED = 6;
  private static final int NOT_INITIALIZED = 7;
  private static final int NODE_WRITTEN = 8;
  private static final int NODE_REMOVED = 9;
  private static final int INITIALIZED = 10;
  private static final int BATCH_APPLIED = 11;
  private static final int BATCH_REFUSED = 12;
  private static final int ALREADY_APPLIED = 13;
  private static final int BARRIER_PASSED = 24;
  private static final int GROUP_APPLIED = 14;
  // Leases and endpoint health (tags from 20, leaving 15..19 to other new outcomes).
  private static final int LEASE_GRANTED = 20;
  private static final int LEASES_ENDED = 21;
  private static final int LEASE_NOT_FOUND = 22;
  private static final int ENDPOINT_NOT_FOUND = 23;
  private static final int PRECONDITION_FAILED = 15;
  // Version 2: a written or deleted service with the log time of its entry.
  private static final int WRITTEN_AT = 16;
  private static final int DELETED_AT = 17;

  private OutcomeCodec() {}

  public static byte[] encode(Outcome o) {
    ByteSink body = new ByteSink(128);
    boolean[] timed = {false};
    write(body, o, timed);
    return new ByteSink(body.size() + 1)
        .u8(timed[0] ? OUTCOME_V2 : OUTCOME_V1)
        .raw(body.toByteArray())
        .toByteArray();
  }

  public static Outcome decode(byte[] bytes) throws CodecException {
    ByteSource in = new ByteSource(bytes);
    int version = in.u8("format");
    if (version != OUTCOME_V1 && version != OUTCOME_V2) {
      throw new CodecException("outcome: unknown format 0x" + Integer.toHexString(version));
    }
    Outcome o = read(in, 0, version == OUTCOME_V2);
    in.expectEnd("outcome");
    return o;
  }

  /** Sets {@code timed[0]} when it writes a tag of version 2. */
  private static void write(ByteSink out, Outcome o, boolean[] timed) {
    o.accept(
        new Outcome.Visitor<Void>() {
          @Override
          public Void written(Outcome.Written w) {
            boolean at = w.logTimeMillis() != 0;
            timed[0] |= at;
            out.u8(at ? WRITTEN_AT : WRITTEN);
            RegistryCodec.writeService(out, w.service());
            out.bool(w.created()).bool(w.changed());
            if (at) {
              out.fixedLong(w.logTimeMillis());
            }
            return null;
          }

          @Override
          public Void deleted(Outcome.Deleted d) {
            boolean at = d.logTimeMillis() != 0;
            timed[0] |= at;
            out.u8(at ? DELETED_AT : DELETED);
            RegistryCodec.writeService(out, d.service());
            if (at) {
              out.fixedLong(d.logTimeMillis());
            }
            return null;
          }

          @Override
          public Void notFound(Outcome.NotFound n) {
            out.u8(NOT_FOUND);
            RegistryCodec.writeKey(out, n.key());
            return null;
          }

          @Override
          public Void conflict(Outcome.Conflict c) {
            out.u8(CONFLICT).string(c.field()).string(c.message());
            return null;
          }

          @Override
          public Void invalid(Outcome.Invalid i) {
            out.u8(INVALID).string(i.field()).string(i.message());
            return null;
          }

          @Override
          public Void poolExhausted(Outcome.PoolExhausted p) {
            out.u8(POOL_EXHAUSTED).string(p.field()).string(p.pool());
            return null;
          }

          @Override
          public Void notInitialized(Outcome.NotInitialized n) {
            out.u8(NOT_INITIALIZED);
            return null;
          }

          @Override
          public Void nodeWritten(Outcome.NodeWritten n) {
            out.u8(NODE_WRITTEN);
            RegistryCodec.writeNode(out, n.node());
            out.bool(n.changed());
            return null;
          }

          @Override
          public Void nodeRemoved(Outcome.NodeRemoved r) {
            out.u8(NODE_REMOVED).string(r.id()).bool(r.existed());
            return null;
          }

          @Override
          public Void initialized(Outcome.Initialized i) {
            out.u8(INITIALIZED);
            RegistryCodec.writeSettings(out, i.settings());
            out.bool(i.changed());
            return null;
          }

          @Override
          public Void batchApplied(Outcome.BatchApplied b) {
            out.u8(BATCH_APPLIED).varLong(b.outcomes().size());
            b.outcomes().forEach(inner -> write(out, inner, timed));
            return null;
          }

          @Override
          public Void batchRefused(Outcome.BatchRefused b) {
            out.u8(BATCH_REFUSED).varLong(b.index());
            write(out, b.cause(), timed);
            return null;
          }

          @Override
          public Void barrierPassed(Outcome.BarrierPassed b) {
            out.u8(BARRIER_PASSED).varLong(b.index());
            return null;
          }

          @Override
          public Void alreadyApplied(Outcome.AlreadyApplied a) {
            out.u8(ALREADY_APPLIED).varLong(a.index());
            return null;
          }

          @Override
          public Void groupApplied(Outcome.GroupApplied g) {
            out.u8(GROUP_APPLIED).varLong(g.outcomes().size());
            g.outcomes().forEach(inner -> write(out, inner, timed));
            return null;
          }

          @Override
          public Void leaseGranted(Outcome.LeaseGranted g) {
            out.u8(LEASE_GRANTED);
            RegistryCodec.writeLease(out, g.lease());
            return null;
          }

          @Override
          public Void leasesEnded(Outcome.LeasesEnded e) {
            out.u8(LEASES_ENDED).varLong(e.leases().size());
            e.leases().forEach(l -> RegistryCodec.writeLease(out, l));
            out.varLong(e.services().size());
            e.services().forEach(k -> RegistryCodec.writeKey(out, k));
            return null;
          }

          @Override
          public Void leaseNotFound(Outcome.LeaseNotFound n) {
            out.u8(LEASE_NOT_FOUND).fixedLong(n.id());
            return null;
          }

          @Override
          public Void endpointNotFound(Outcome.EndpointNotFound n) {
            out.u8(ENDPOINT_NOT_FOUND);
            RegistryCodec.writeKey(out, n.key());
            out.string(n.endpoint());
            return null;
          }

          @Override
          public Void preconditionFailed(Outcome.PreconditionFailed p) {
            out.u8(PRECONDITION_FAILED);
            RegistryCodec.writeKey(out, p.key());
            CommandCodec.writePrecondition(out, p.expected());
            out.varLong(p.currentRevision());
            return null;
          }
        });
  }

  /** depth: 0 top level, 1 inside a group, 2 inside a batch. */
  private static Outcome read(ByteSource in, int depth, boolean v2) throws CodecException {
    int tag = in.u8("outcome");
    int max = RegistryCodec.MAX_STRING;
    switch (tag) {
      case WRITTEN -> {
        var service = RegistryCodec.readService(in);
        return new Outcome.Written(service, in.bool("created"), in.bool("changed"));
      }
      case DELETED -> {
        return new Outcome.Deleted(RegistryCodec.readService(in));
      }
      case WRITTEN_AT, DELETED_AT -> {
        if (!v2) {
          throw new CodecException("outcome: tag " + tag + " in format version 1");
        }
        var service = RegistryCodec.readService(in);
        if (tag == DELETED_AT) {
          return new Outcome.Deleted(service, in.fixedLong("logTime"));
        }
        boolean created = in.bool("created");
        boolean changed = in.bool("changed");
        return new Outcome.Written(service, created, changed, in.fixedLong("logTime"));
      }
      case NOT_FOUND -> {
        return new Outcome.NotFound(RegistryCodec.readKey(in));
      }
      case CONFLICT -> {
        return new Outcome.Conflict(in.string("field", max), in.string("message", max));
      }
      case INVALID -> {
        return new Outcome.Invalid(in.string("field", max), in.string("message", max));
      }
      case POOL_EXHAUSTED -> {
        return new Outcome.PoolExhausted(in.string("field", max), in.string("pool", max));
      }
      case NOT_INITIALIZED -> {
        return new Outcome.NotInitialized();
      }
      case NODE_WRITTEN -> {
        var node = RegistryCodec.readNode(in);
        return new Outcome.NodeWritten(node, in.bool("changed"));
      }
      case NODE_REMOVED -> {
        return new Outcome.NodeRemoved(in.string("id", 63), in.bool("existed"));
      }
      case INITIALIZED -> {
        var settings = RegistryCodec.readSettings(in);
        return new Outcome.Initialized(settings, in.bool("changed"));
      }
      case BATCH_APPLIED -> {
        if (depth == 2) {
          throw new CodecException("outcome: nested batch");
        }
        int n = in.count("batch size", Command.Batch.MAX_COMMANDS);
        List<Outcome> os = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          os.add(read(in, 2, v2));
        }
        return new Outcome.BatchApplied(os);
      }
      case BATCH_REFUSED -> {
        if (depth == 2) {
          throw new CodecException("outcome: nested batch");
        }
        int index = in.count("batch index", Command.Batch.MAX_COMMANDS);
        return new Outcome.BatchRefused(index, read(in, 2, v2));
      }
      case BARRIER_PASSED -> {
        return new Outcome.BarrierPassed(in.varLong("index"));
      }
      case ALREADY_APPLIED -> {
        return new Outcome.AlreadyApplied(in.varLong("index"));
      }
      case GROUP_APPLIED -> {
        if (depth != 0) {
          throw new CodecException("outcome: nested group");
        }
        int n = in.count("group size", Command.Group.MAX_COMMANDS);
        List<Outcome> os = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          os.add(read(in, 1, v2));
        }
        return new Outcome.GroupApplied(os);
      }
      case LEASE_GRANTED -> {
        return new Outcome.LeaseGranted(RegistryCodec.readLease(in));
      }
      case LEASES_ENDED -> {
        int n = in.count("leases", Command.ExpireLeases.MAX_IDS);
        List<Lease> leases = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          leases.add(RegistryCodec.readLease(in));
        }
        int k = in.count("services", Integer.MAX_VALUE);
        List<ServiceKey> keys = new ArrayList<>(Math.min(k, 1024));
        for (int i = 0; i < k; i++) {
          keys.add(RegistryCodec.readKey(in));
        }
        return new Outcome.LeasesEnded(leases, keys);
      }
      case LEASE_NOT_FOUND -> {
        return new Outcome.LeaseNotFound(in.fixedLong("lease id"));
      }
      case ENDPOINT_NOT_FOUND -> {
        var key = RegistryCodec.readKey(in);
        return new Outcome.EndpointNotFound(key, in.string("endpoint", max));
      }
      case PRECONDITION_FAILED -> {
        var key = RegistryCodec.readKey(in);
        Precondition expected = CommandCodec.readPrecondition(in);
        if (expected == null) {
          throw new CodecException("outcome: a precondition failure without a precondition");
        }
        long current = in.varLong("current revision");
        return RegistryCodec.valid(() -> new Outcome.PreconditionFailed(key, expected, current));
      }
      default -> throw new CodecException("outcome: unknown tag " + tag);
    }
  }
}
