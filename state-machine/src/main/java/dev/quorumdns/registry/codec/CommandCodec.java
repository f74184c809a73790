package dev.quorumdns.registry.codec;

import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.LogEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned binary formats of commands: a client request ({@value #REQUEST_V1} first byte) and a Raft log
 * entry ({@value #ENTRY_V1} first byte, then the leader's timestamp). Stateless and thread-safe.
 */
public final class CommandCodec {
  public static final int REQUEST_V1 = 0x51;
  public static final int ENTRY_V1 = 0x45;

  private static final int UPSERT = 1;
  private static final int DELETE = 2;
  private static final int BATCH = 3;
  private static final int PUT_NODE = 4;
  private static final int REMOVE_NODE = 5;
  private static final int INIT_CLUSTER = 6;
  private static final int GROUP = 7;

  private CommandCodec() {}

  public static byte[] encodeRequest(Command c) {
    ByteSink out = new ByteSink(128);
    out.u8(REQUEST_V1);
    writeCommand(out, c);
    return out.toByteArray();
  }

  public static Command decodeRequest(byte[] bytes) throws CodecException {
    ByteSource in = new ByteSource(bytes);
    int version = in.u8("format");
    if (version != REQUEST_V1) {
      throw new CodecException("request: unknown format 0x" + Integer.toHexString(version));
    }
    Command c = readCommand(in, TOP);
    in.expectEnd("request");
    return c;
  }

  public static byte[] encodeEntry(LogEntry e) {
    ByteSink out = new ByteSink(128);
    out.u8(ENTRY_V1).fixedLong(e.timestampMillis());
    writeCommand(out, e.command());
    return out.toByteArray();
  }

  public static LogEntry decodeEntry(byte[] bytes) throws CodecException {
    ByteSource in = new ByteSource(bytes);
    int version = in.u8("format");
    if (version != ENTRY_V1) {
      throw new CodecException("log entry: unknown format 0x" + Integer.toHexString(version));
    }
    long ts = in.fixedLong("timestamp");
    Command c = readCommand(in, TOP);
    in.expectEnd("log entry");
    return new LogEntry(ts, c);
  }

  private static void writeCommand(ByteSink out, Command c) {
    c.accept(new Command.Visitor<Void>() {
      @Override
      public Void upsert(Command.UpsertService u) {
        out.u8(UPSERT);
        RegistryCodec.writeKey(out, u.key());
        RegistryCodec.writeSpec(out, u.spec());
        return null;
      }

      @Override
      public Void delete(Command.DeleteService d) {
        out.u8(DELETE);
        RegistryCodec.writeKey(out, d.key());
        return null;
      }

      @Override
      public Void batch(Command.Batch b) {
        out.u8(BATCH).varLong(b.commands().size());
        b.commands().forEach(inner -> writeCommand(out, inner));
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
        g.commands().forEach(inner -> writeCommand(out, inner));
        return null;
      }
    });
  }

  private static final int TOP = 0;
  private static final int IN_GROUP = 1;
  private static final int IN_BATCH = 2;

  private static Command readCommand(ByteSource in, int depth) throws CodecException {
    int tag = in.u8("command");
    switch (tag) {
      case UPSERT -> {
        var key = RegistryCodec.readKey(in);
        var spec = RegistryCodec.readSpec(in);
        return new Command.UpsertService(key, spec);
      }
      case DELETE -> {
        return new Command.DeleteService(RegistryCodec.readKey(in));
      }
      case BATCH -> {
        if (depth == IN_BATCH) {
          throw new CodecException("batch: nested batch");
        }
        int n = in.count("batch size", Command.Batch.MAX_COMMANDS);
        List<Command> cs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          cs.add(readCommand(in, IN_BATCH));
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
          cs.add(readCommand(in, IN_GROUP));
        }
        return RegistryCodec.valid(() -> new Command.Group(cs));
      }
      default -> throw new CodecException("command: unknown tag " + tag);
    }
  }
}
