package dev.quorumdns.registry.codec;

import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import dev.quorumdns.registry.command.Precondition;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned binary formats of commands: a client request ({@value #REQUEST_V1} or {@value
 * #REQUEST_V2} first byte) and a Raft log entry ({@value #ENTRY_V1} or {@value #ENTRY_V2} first
 * byte, then the leader's timestamp). Version 2 adds a precondition after the key of every upsert
 * and delete (compare-and-set):
 *
 * <pre>
 * precondition = u8 0 (none) | u8 1 varint revision (that revision) | u8 2 (absent) | u8 3 (present)
 * </pre>
 *
 * A command is written in the oldest version that can carry it: version 1 unless some upsert or
 * delete in it has a precondition, so nodes that know only version 1 keep reading everything but
 * conditional writes. Both versions are read. Stateless and thread-safe.
 */
public final class CommandCodec {
  public static final int REQUEST_V1 = 0x51;
  public static final int ENTRY_V1 = 0x45;
  public static final int REQUEST_V2 = 0x52;
  public static final int ENTRY_V2 = 0x46;

  private static final int UPSERT = 1;
  private static final int DELETE = 2;
  private static final int BATCH = 3;
  private static final int PUT_NODE = 4;
  private static final int REMOVE_NODE = 5;
  private static final int INIT_CLUSTER = 6;
  private static final int GROUP = 7;
  // Leases and endpoint health (tags from 16, leaving 8..15 to other new commands).
  private static final int GRANT_LEASE = 16;
  private static final int REVOKE_LEASE = 17;
  private static final int EXPIRE_LEASES = 18;
  private static final int SET_ENDPOINT_HEALTH = 19;

  /** {@link Command.ExpireLeases} with the term of the leader that decided it. */
  private static final int EXPIRE_LEASES_IN_TERM = 20;

  private static final int READ_BARRIER = 21;

  private CommandCodec() {}

  public static byte[] encodeRequest(Command c) {
    boolean v2 = conditional(c);
    ByteSink out = new ByteSink(128);
    out.u8(v2 ? REQUEST_V2 : REQUEST_V1);
    writeCommand(out, c, v2);
    return out.toByteArray();
  }

  public static Command decodeRequest(byte[] bytes) throws CodecException {
    ByteSource in = new ByteSource(bytes);
    int version = in.u8("format");
    if (version != REQUEST_V1 && version != REQUEST_V2) {
      throw new CodecException("request: unknown format 0x" + Integer.toHexString(version));
    }
    Command c = readCommand(in, TOP, version == REQUEST_V2);
    in.expectEnd("request");
    return c;
  }

  public static byte[] encodeEntry(LogEntry e) {
    boolean v2 = conditional(e.command());
    ByteSink out = new ByteSink(128);
    out.u8(v2 ? ENTRY_V2 : ENTRY_V1).fixedLong(e.timestampMillis());
    writeCommand(out, e.command(), v2);
    return out.toByteArray();
  }

  public static LogEntry decodeEntry(byte[] bytes) throws CodecException {
    ByteSource in = new ByteSource(bytes);
    int version = in.u8("format");
    if (version != ENTRY_V1 && version != ENTRY_V2) {
      throw new CodecException("log entry: unknown format 0x" + Integer.toHexString(version));
    }
    long ts = in.fixedLong("timestamp");
    Command c = readCommand(in, TOP, version == ENTRY_V2);
    in.expectEnd("log entry");
    return new LogEntry(ts, c);
  }

  /** Whether {@code c} or a command inside it carries a precondition (and so needs version 2). */
  private static boolean conditional(Command c) {
    if (c instanceof Command.UpsertService u) {
      return u.precondition() != null;
    }
    if (c instanceof Command.DeleteService d) {
      return d.precondition() != null;
    }
    if (c instanceof Command.Batch b) {
      return b.commands().stream().anyMatch(CommandCodec::conditional);
    }
    if (c instanceof Command.Group g) {
      return g.commands().stream().anyMatch(CommandCodec::conditional);
    }
    return false;
  }

  private static final int PRECONDITION_NONE = 0;
  private static final int PRECONDITION_REVISION = 1;
  private static final int PRECONDITION_ABSENT = 2;
  private static final int PRECONDITION_PRESENT = 3;

  /** Writes a precondition (null: none); the outcome codec shares the layout. */
  static void writePrecondition(ByteSink out, Precondition p) {
    if (p == null) {
      out.u8(PRECONDITION_NONE);
    } else if (p instanceof Precondition.Revision r) {
      out.u8(PRECONDITION_REVISION).varLong(r.revision());
    } else if (p instanceof Precondition.Absent) {
      out.u8(PRECONDITION_ABSENT);
    } else {
      out.u8(PRECONDITION_PRESENT);
    }
  }

  /** Reads a precondition; null for none. */
  static Precondition readPrecondition(ByteSource in) throws CodecException {
    int kind = in.u8("precondition");
    switch (kind) {
      case PRECONDITION_NONE -> {
        return null;
      }
      case PRECONDITION_REVISION -> {
        long revision = in.varLong("precondition revision");
        if (revision < 1) {
          throw new CodecException("precondition revision " + revision + " (expected: at least 1)");
        }
        return new Precondition.Revision(revision);
      }
      case PRECONDITION_ABSENT -> {
        return new Precondition.Absent();
      }
      case PRECONDITION_PRESENT -> {
        return new Precondition.Present();
      }
      default -> throw new CodecException("precondition: unknown kind " + kind);
    }
  }

  private static void writeCommand(ByteSink out, Command c, boolean v2) {
    c.accept(
        new Command.Visitor<Void>() {
          @Override
          public Void upsert(Command.UpsertService u) {
            out.u8(UPSERT);
            RegistryCodec.writeKey(out, u.key());
            if (v2) {
              writePrecondition(out, u.precondition());
            }
            RegistryCodec.writeSpec(out, u.spec());
            return null;
          }

          @Override
          public Void delete(Command.DeleteService d) {
            out.u8(DELETE);
            RegistryCodec.writeKey(out, d.key());
            if (v2) {
              writePrecondition(out, d.precondition());
            }
            return null;
          }

          @Override
          public Void batch(Command.Batch b) {
            out.u8(BATCH).varLong(b.commands().size());
            b.commands().forEach(inner -> writeCommand(out, inner, v2));
            return null;
          }

          @Override
          public Void putNode(Command.PutNode p) {
            out.u8(PUT_NODE);
            RegistryCodec.writeNode(out, p.node());
            return null;
          }

          @Override
          public Void removeNode(Command.RemoveNode r) {
            out.u8(REMOVE_NODE).string(r.id());
            return null;
          }

          @Override
          public Void initCluster(Command.InitCluster i) {
            out.u8(INIT_CLUSTER);
            RegistryCodec.writeSettings(out, i.settings());
            return null;
          }

          @Override
          public Void group(Command.Group g) {
            out.u8(GROUP).varLong(g.commands().size());
            g.commands().forEach(inner -> writeCommand(out, inner, v2));
            return null;
          }

          @Override
          public Void grantLease(Command.GrantLease g) {
            out.u8(GRANT_LEASE).fixedLong(g.id()).varLong(g.ttlMillis());
            return null;
          }

          @Override
          public Void revokeLease(Command.RevokeLease r) {
            out.u8(REVOKE_LEASE).fixedLong(r.id());
            return null;
          }

          @Override
          public Void expireLeases(Command.ExpireLeases e) {
            if (e.term() == 0) {
              out.u8(EXPIRE_LEASES);
            } else {
              out.u8(EXPIRE_LEASES_IN_TERM).varLong(e.term());
            }
            out.varLong(e.ids().size());
            e.ids().forEach(out::fixedLong);
            return null;
          }

          @Override
          public Void readBarrier(Command.ReadBarrier b) {
            out.u8(READ_BARRIER);
            return null;
          }

          @Override
          public Void setEndpointHealth(Command.SetEndpointHealth h) {
            out.u8(SET_ENDPOINT_HEALTH);
            RegistryCodec.writeKey(out, h.key());
            out.string(h.address()).bool(h.port() != null);
            if (h.port() != null) {
              out.varLong(h.port());
            }
            out.u8(h.health().ordinal());
            return null;
          }
        });
  }

  private static final int TOP = 0;
  private static final int IN_GROUP = 1;
  private static final int IN_BATCH = 2;

  private static Command readCommand(ByteSource in, int depth, boolean v2) throws CodecException {
    int tag = in.u8("command");
    switch (tag) {
      case UPSERT -> {
        var key = RegistryCodec.readKey(in);
        Precondition p = v2 ? readPrecondition(in) : null;
        var spec = RegistryCodec.readSpec(in);
        return new Command.UpsertService(key, spec, p);
      }
      case DELETE -> {
        var key = RegistryCodec.readKey(in);
        Precondition p = v2 ? readPrecondition(in) : null;
        return RegistryCodec.valid(() -> new Command.DeleteService(key, p));
      }
      case BATCH -> {
        if (depth == IN_BATCH) {
          throw new CodecException("batch: nested batch");
        }
        int n = in.count("batch size", Command.Batch.MAX_COMMANDS);
        List<Command> cs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          cs.add(readCommand(in, IN_BATCH, v2));
        }
        return RegistryCodec.valid(() -> new Command.Batch(cs));
      }
      case PUT_NODE -> {
        return new Command.PutNode(RegistryCodec.readNode(in));
      }
      case REMOVE_NODE -> {
        String id = in.string("node id", 63);
        return RegistryCodec.valid(() -> new Command.RemoveNode(id));
      }
      case INIT_CLUSTER -> {
        return new Command.InitCluster(RegistryCodec.readSettings(in));
      }
      case GROUP -> {
        if (depth != TOP) {
          throw new CodecException("group: nested group");
        }
        int n = in.count("group size", Command.Group.MAX_COMMANDS);
        List<Command> cs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          cs.add(readCommand(in, IN_GROUP, v2));
        }
        return RegistryCodec.valid(() -> new Command.Group(cs));
      }
      case GRANT_LEASE -> {
        long id = in.fixedLong("lease id");
        long ttl = in.varLong("lease ttl");
        return RegistryCodec.valid(() -> new Command.GrantLease(id, ttl));
      }
      case REVOKE_LEASE -> {
        long id = in.fixedLong("lease id");
        return RegistryCodec.valid(() -> new Command.RevokeLease(id));
      }
      case EXPIRE_LEASES, EXPIRE_LEASES_IN_TERM -> {
        long term = tag == EXPIRE_LEASES_IN_TERM ? in.varLong("expiry term") : 0;
        int n = in.count("lease ids", Command.ExpireLeases.MAX_IDS);
        List<Long> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ids.add(in.fixedLong("lease id"));
        }
        return RegistryCodec.valid(() -> new Command.ExpireLeases(ids, term));
      }
      case SET_ENDPOINT_HEALTH -> {
        var key = RegistryCodec.readKey(in);
        String address = in.string("endpoint address", Endpoint.MAX_HOSTNAME_LENGTH + 2);
        Integer port = in.bool("endpoint port present") ? in.count("endpoint port", 65535) : null;
        int h = in.u8("endpoint health");
        if (h >= Health.values().length) {
          throw new CodecException("endpoint health: unknown code " + h);
        }
        return RegistryCodec.valid(
            () -> new Command.SetEndpointHealth(key, address, port, Health.values()[h]));
      }
      case READ_BARRIER -> {
        return new Command.ReadBarrier();
      }
      default -> throw new CodecException("command: unknown tag " + tag);
    }
  }
}
