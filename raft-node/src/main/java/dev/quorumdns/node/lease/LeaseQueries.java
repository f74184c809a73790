package dev.quorumdns.node.lease;

import dev.quorumdns.registry.codec.ByteSink;
import dev.quorumdns.registry.codec.ByteSource;
import dev.quorumdns.registry.codec.CodecException;

/**
 * The read-only requests a node sends the leader about leases, and the leader's answers. They
 * travel between members (possibly of two versions during an upgrade) as Ratis read-only messages,
 * so the layout is versioned:
 *
 * <pre>
 * request = u8 0x4c ('L', version 1) || u8 op (1 keepalive, 2 status) || fixed64 lease id
 * answer  = u8 0x4c || u8 result (1 live, 2 unknown, 3 not the leader) || live: varint ttl ms, varint remaining ms,
 *           fixed64 granted-at log time
 * </pre>
 *
 * Stateless and thread-safe.
 */
public final class LeaseQueries {
  static final int V1 = 0x4c;
  private static final int REQUEST_LENGTH = 10;

  private LeaseQueries() {}

  /** What a request asks for. */
  public enum Op {
    KEEPALIVE,
    STATUS
  }

  /** A decoded request. */
  public record Request(Op op, long id) {}

  /**
   * A decoded answer; ttl, remaining time and grant time mean something only when the lease is
   * {@link Result#LIVE}.
   */
  public record Answer(Result result, long ttlMillis, long remainingMillis, long grantedAtMillis) {
    static final Answer UNKNOWN = new Answer(Result.UNKNOWN, 0, 0, 0);
    static final Answer NOT_LEADER = new Answer(Result.NOT_LEADER, 0, 0, 0);
  }

  /** How the leader answered. */
  public enum Result {
    LIVE,
    /** Never granted, revoked, expired, or being expired now. */
    UNKNOWN,
    /** The node that got the request does not lead (any more). */
    NOT_LEADER
  }

  public static byte[] request(Op op, long id) {
    return new ByteSink(REQUEST_LENGTH)
        .u8(V1)
        .u8(op == Op.KEEPALIVE ? 1 : 2)
        .fixedLong(id)
        .toByteArray();
  }

  /** True if {@code bytes} has the shape of a lease request (and so is not for anyone else). */
  public static boolean isRequest(byte[] bytes) {
    return bytes.length == REQUEST_LENGTH && (bytes[0] & 0xff) == V1;
  }

  public static Request decodeRequest(byte[] bytes) throws CodecException {
    ByteSource in = new ByteSource(bytes);
    if (in.u8("lease request format") != V1) {
      throw new CodecException("lease request: unknown format");
    }
    int op = in.u8("lease request op");
    if (op != 1 && op != 2) {
      throw new CodecException("lease request: unknown op " + op);
    }
    long id = in.fixedLong("lease id");
    in.expectEnd("lease request");
    return new Request(op == 1 ? Op.KEEPALIVE : Op.STATUS, id);
  }

  public static byte[] answer(Answer a) {
    ByteSink out = new ByteSink(24).u8(V1).u8(a.result().ordinal() + 1);
    if (a.result() == Result.LIVE) {
      out.varLong(a.ttlMillis()).varLong(a.remainingMillis()).fixedLong(a.grantedAtMillis());
    }
    return out.toByteArray();
  }

  public static Answer decodeAnswer(byte[] bytes) throws CodecException {
    ByteSource in = new ByteSource(bytes);
    if (in.u8("lease answer format") != V1) {
      throw new CodecException("lease answer: unknown format");
    }
    int r = in.u8("lease answer result");
    if (r < 1 || r > Result.values().length) {
      throw new CodecException("lease answer: unknown result " + r);
    }
    Answer a =
        switch (Result.values()[r - 1]) {
          case LIVE ->
              new Answer(
                  Result.LIVE,
                  in.varLong("ttl"),
                  in.varLong("remaining"),
                  in.fixedLong("granted at"));
          case UNKNOWN -> Answer.UNKNOWN;
          case NOT_LEADER -> Answer.NOT_LEADER;
        };
    in.expectEnd("lease answer");
    return a;
  }
}
