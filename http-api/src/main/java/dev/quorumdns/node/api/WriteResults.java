package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.runtime.NodeException;
import dev.quorumdns.node.runtime.WriteResult;
import dev.quorumdns.registry.Lease;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.command.Precondition;

/**
 * Maps write results, registry outcomes and the runtime's refusals to HTTP answers: refusals
 * 400/404/409, not sent 503, unknown 504 (docs/architecture.md, HTTP API). Stateless.
 */
final class WriteResults {
  private WriteResults() {}

  /** The outcome of an applied command, or the API error for a write that did not apply. */
  static Outcome applied(WriteResult r) {
    if (r instanceof WriteResult.NotSent n) {
      throw ApiException.noQuorum("write not applied: " + n.reason());
    }
    if (r instanceof WriteResult.Unknown u) {
      throw ApiException.unknownOutcome("outcome unknown: " + u.reason());
    }
    return ((WriteResult.Applied) r).outcome();
  }

  /** Turns a refusal into its API error; returns normally for outcomes that are not refusals. */
  static void throwIfRefused(Outcome o) {
    if (!o.refused()) {
      return;
    }
    o.accept(new Refusals());
  }

  /** The JSON of a successful outcome (used for batch results). */
  static ObjectNode describe(Outcome o, String domain) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (o instanceof Outcome.Written w) {
      n.put("result", w.created() ? "created" : w.changed() ? "updated" : "unchanged");
      n.set("service", appliedAt(ServiceJson.write(w.service(), domain), w.logTimeMillis()));
    } else if (o instanceof Outcome.Deleted d) {
      n.put("result", "deleted");
      n.set("service", appliedAt(ServiceJson.write(d.service(), domain), d.logTimeMillis()));
    } else {
      n.put("result", o.getClass().getSimpleName());
    }
    return n;
  }

  /**
   * Adds {@code appliedAt}: the log time (epoch milliseconds, the leader's stamp raised to the
   * newest seen) of the entry that wrote or deleted the service, the clock its VIP hold-down runs
   * on. Absent when the outcome came without one.
   */
  static ObjectNode appliedAt(ObjectNode service, long logTimeMillis) {
    if (logTimeMillis != 0) {
      service.put("appliedAt", logTimeMillis);
    }
    return service;
  }

  /**
   * The field a precondition came from, as a batch operation spells it ({@code ifMatch}, {@code
   * ifNoneMatch}); single writes rename it to the header or parameter the client used.
   */
  static String preconditionField(Precondition p) {
    return p instanceof Precondition.Absent ? "ifNoneMatch" : "ifMatch";
  }

  /** What a conditional write expected and what it found. */
  static String preconditionMessage(Outcome.PreconditionFailed o) {
    String now =
        o.currentRevision() == 0
            ? "nothing is registered"
            : "it is at revision " + o.currentRevision();
    String expected =
        o.expected() instanceof Precondition.Revision r
            ? "revision " + r.revision()
            : o.expected() instanceof Precondition.Absent
                ? "no service (create only)"
                : "an existing service";
    return "service " + o.key() + ": expected " + expected + ", but " + now + "; nothing changed";
  }

  /** The API error of a request the runtime could not carry out. */
  static ApiException fromNode(NodeException e) {
    return switch (e.kind()) {
      case NO_QUORUM -> ApiException.noQuorum(e.getMessage());
      case OUTCOME_UNKNOWN -> ApiException.unknownOutcome(e.getMessage());
      case CONFLICT -> ApiException.conflict("conflict", e.field(), e.getMessage());
      case NOT_FOUND -> new ApiException(404, "not_found", e.field(), e.getMessage(), null);
      case SNAPSHOT_FAILED -> new ApiException(503, "snapshot_failed", null, e.getMessage(), 1);
    };
  }

  /** Throws the API error of each refusal; non-refusals are never passed here. */
  private static final class Refusals implements Outcome.Visitor<Void> {
    @Override
    public Void notFound(Outcome.NotFound o) {
      throw ApiException.notFound("no service " + o.key());
    }

    @Override
    public Void conflict(Outcome.Conflict o) {
      throw ApiException.conflict("conflict", o.field(), o.message());
    }

    @Override
    public Void invalid(Outcome.Invalid o) {
      throw ApiException.invalid(o.field(), o.message());
    }

    @Override
    public Void poolExhausted(Outcome.PoolExhausted o) {
      throw ApiException.conflict(
          "pool_exhausted", o.field(), "no free address left in " + o.pool());
    }

    @Override
    public Void notInitialized(Outcome.NotInitialized o) {
      throw new ApiException(
          503,
          "not_initialized",
          null,
          "the cluster settings are not written yet; retry shortly",
          1);
    }

    @Override
    public Void leaseNotFound(Outcome.LeaseNotFound o) {
      throw new ApiException(
          404,
          "not_found",
          "lease",
          "no lease " + Lease.formatId(o.id()) + " (never granted, revoked or expired)",
          null);
    }

    @Override
    public Void endpointNotFound(Outcome.EndpointNotFound o) {
      throw new ApiException(
          404,
          "not_found",
          "endpoint",
          "service " + o.key() + " has no endpoint " + o.endpoint(),
          null);
    }

    @Override
    public Void preconditionFailed(Outcome.PreconditionFailed o) {
      String field = preconditionField(o.expected());
      throw ApiException.preconditionFailed(
          field, field + ": " + preconditionMessage(o), o.currentRevision());
    }

    @Override
    public Void batchRefused(Outcome.BatchRefused o) {
      try {
        throwIfRefused(o.cause());
      } catch (ApiException e) {
        String field = "operations[" + o.index() + "]" + (e.field() == null ? "" : "." + e.field());
        throw new ApiException(
            e.status(),
            e.code(),
            field,
            "operations[" + o.index() + "] refused, nothing applied: " + e.getMessage(),
            e.retryAfterSeconds(),
            e.revision());
      }
      return null;
    }

    private static Void unexpected(Outcome o) {
      throw new IllegalStateException("not a refusal: " + o);
    }

    @Override
    public Void written(Outcome.Written o) {
      return unexpected(o);
    }

    @Override
    public Void deleted(Outcome.Deleted o) {
      return unexpected(o);
    }

    @Override
    public Void nodeWritten(Outcome.NodeWritten o) {
      return unexpected(o);
    }

    @Override
    public Void nodeRemoved(Outcome.NodeRemoved o) {
      return unexpected(o);
    }

    @Override
    public Void initialized(Outcome.Initialized o) {
      return unexpected(o);
    }

    @Override
    public Void batchApplied(Outcome.BatchApplied o) {
      return unexpected(o);
    }

    @Override
    public Void alreadyApplied(Outcome.AlreadyApplied o) {
      return unexpected(o);
    }

    @Override
    public Void barrierPassed(Outcome.BarrierPassed o) {
      return unexpected(o);
    }

    @Override
    public Void groupApplied(Outcome.GroupApplied o) {
      return unexpected(o);
    }

    @Override
    public Void leaseGranted(Outcome.LeaseGranted o) {
      return unexpected(o);
    }

    @Override
    public Void leasesEnded(Outcome.LeasesEnded o) {
      return unexpected(o);
    }
  }
}
