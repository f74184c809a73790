package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.auth.Caller;
import dev.quorumdns.node.auth.Scope;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.registry.Health;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.command.Precondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Writes of {@code /v1/services} and {@code /v1/batch}: validated before anything is sent, then
 * through Raft. A write may be conditional (compare-and-set, {@link Conditions}): the registry
 * decides it in apply and refuses with 412 and the service's current revision. Thread-safe.
 */
final class ServiceRoutes {
  private static final Set<String> OPERATION_FIELDS =
      Set.of("op", "namespace", "name", "service", "ifMatch", "ifNoneMatch");
  private final NodeRuntime node;

  ServiceRoutes(NodeRuntime node) {
    this.node = node;
  }

  private static void requireWrite(Caller caller, String namespace) {
    ApiAuth.require(caller, Scope.write(namespace), "write services in namespace " + namespace);
  }

  /** The service a route's path names; the table's authorisation has validated it already. */
  private static ServiceKey key(Route.Call call) {
    return new ServiceKey(call.param("ns"), call.param("name"));
  }

  CompletableFuture<ApiResponse> put(Route.Call call) {
    ServiceKey key = key(call);
    Conditions.Condition condition = Conditions.ofRequest(call.request(), false);
    ServiceSpec spec = ServiceJson.parseSpec(Json.parse(call.request().body()));
    Command command = new Command.UpsertService(key, spec, condition.precondition());
    return write(command, condition.field())
        .thenApply(
            o -> {
              Outcome.Written w = (Outcome.Written) o;
              return ApiResponse.json(
                      w.created() ? 201 : 200,
                      WriteResults.appliedAt(
                          ServiceJson.write(w.service(), node.domain()), w.logTimeMillis()))
                  .withHeader("ETag", ServiceReads.etag(w.service()));
            });
  }

  /**
   * {@code PUT /v1/services/{ns}/{name}/endpoints/{endpoint}/health {"health": "critical"}}: the
   * endpoint is {@code address}, {@code address:port} or {@code [ipv6]:port}; 200 with the service.
   */
  CompletableFuture<ApiResponse> health(Route.Call call) {
    ServiceKey key = key(call);
    JsonNode body = Json.parse(call.request().body());
    if (!body.isObject()) {
      throw new ValidationException("body", "must be a JSON object");
    }
    ServiceJson.onlyFields(body, Set.of("health"), "");
    Health health = Health.parse("health", ServiceJson.text(body.get("health"), "health"));
    Command command = endpointHealth(key, call.param("endpoint"), health);
    return write(command, null)
        .thenApply(
            o ->
                ApiResponse.json(
                    200, ServiceJson.write(((Outcome.Written) o).service(), node.domain())));
  }

  /**
   * The command for {@code endpoint} as a path names it: {@code address}, {@code host:port}, {@code
   * [v6]:port}.
   */
  static Command.SetEndpointHealth endpointHealth(ServiceKey key, String endpoint, Health health) {
    String address = endpoint;
    String port = null;
    if (endpoint.startsWith("[")) {
      int close = endpoint.indexOf(']');
      if (close < 0 || (close + 1 < endpoint.length() && endpoint.charAt(close + 1) != ':')) {
        throw new ValidationException(
            "endpoint",
            "has an unclosed or misplaced ']' (expected: address, address:port or"
                + " [ipv6]:port)");
      }
      address = endpoint.substring(1, close);
      port = close + 1 < endpoint.length() ? endpoint.substring(close + 2) : null;
    } else if (endpoint.indexOf(':') >= 0 && endpoint.indexOf(':') == endpoint.lastIndexOf(':')) {
      address = endpoint.substring(0, endpoint.indexOf(':'));
      port = endpoint.substring(endpoint.indexOf(':') + 1);
    }
    Integer p = null;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new ValidationException("endpoint", "port is not a number (expected: 1..65535)");
      }
    }
    try {
      return new Command.SetEndpointHealth(key, address, p, health);
    } catch (ValidationException e) {
      throw new ValidationException("endpoint", e.reason());
    }
  }

  CompletableFuture<ApiResponse> delete(Route.Call call) {
    ServiceKey key = key(call);
    Conditions.Condition condition = Conditions.ofRequest(call.request(), true);
    return write(new Command.DeleteService(key, condition.precondition()), condition.field())
        .thenApply(
            o -> {
              Outcome.Deleted d = (Outcome.Deleted) o;
              return ApiResponse.json(
                  200,
                  WriteResults.appliedAt(
                      ServiceJson.write(d.service(), node.domain()), d.logTimeMillis()));
            });
  }

  /**
   * {@code {"operations":[{"op":"put","namespace","name","service":{...}}, {"op":"delete",...}]}}.
   */
  CompletableFuture<ApiResponse> batch(Route.Call call) {
    JsonNode body = Json.parse(call.request().body());
    if (!body.isObject() || !body.path("operations").isArray()) {
      throw new ValidationException("operations", "is required (expected: an array of operations)");
    }
    ServiceJson.onlyFields(body, Set.of("operations"), "");
    JsonNode ops = body.get("operations");
    if (ops.size() > Command.Batch.MAX_COMMANDS) {
      throw new ValidationException(
          "operations",
          "has " + ops.size() + " entries (expected: at most " + Command.Batch.MAX_COMMANDS + ")");
    }
    List<Command> commands = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      String at = "operations[" + i + "]";
      JsonNode op = ops.get(i);
      if (!op.isObject()) {
        throw new ValidationException(at, "must be an object");
      }
      ServiceJson.onlyFields(op, OPERATION_FIELDS, at + ".");
      try {
        ServiceKey key =
            new ServiceKey(
                ServiceJson.text(op.get("namespace"), "namespace"),
                ServiceJson.text(op.get("name"), "name"));
        String kind = ServiceJson.text(op.get("op"), "op");
        if (!kind.equals("put") && !kind.equals("delete")) {
          throw new ValidationException("op", "'" + kind + "' (expected: put or delete)");
        }
        Precondition p = Conditions.ofOperation(op, kind.equals("delete"));
        commands.add(
            kind.equals("put")
                ? new Command.UpsertService(key, ServiceJson.parseSpec(op.get("service")), p)
                : new Command.DeleteService(key, p));
      } catch (ValidationException e) {
        throw e.within(at);
      }
    }
    Command.Batch batch = new Command.Batch(commands);
    List<AuditLog.Target> targets = new ArrayList<>();
    Set<String> namespaces = new TreeSet<>();
    for (Command c : batch.commands()) {
      ServiceKey key =
          c instanceof Command.UpsertService u ? u.key() : ((Command.DeleteService) c).key();
      targets.add(
          new AuditLog.Target(
              c instanceof Command.UpsertService ? "put" : "delete",
              key.namespace() + "/" + key.name()));
      namespaces.add(key.namespace());
    }
    call.audit(targets);
    namespaces.forEach(ns -> requireWrite(call.caller(), ns));
    return write(batch, null)
        .thenApply(
            o -> {
              ObjectNode out = JsonNodeFactory.instance.objectNode();
              ArrayNode results = out.putArray("results");
              ((Outcome.BatchApplied) o)
                  .outcomes()
                  .forEach(x -> results.add(WriteResults.describe(x, node.domain())));
              return ApiResponse.json(200, out);
            });
  }

  /**
   * Sends a command; a refusal becomes its API error.
   *
   * @param conditionField the header or parameter a single write's precondition came from (named by
   *     a 412), or null to keep the registry's naming (a batch's {@code operations[i].ifMatch})
   */
  private CompletableFuture<Outcome> write(Command command, String conditionField) {
    Outcome refused = node.precheck(command);
    if (refused != null) {
      WriteResults.throwIfRefused(refused);
    }
    return node.submit(command)
        .thenApply(
            result -> {
              Outcome o = WriteResults.applied(result);
              if (conditionField != null && o instanceof Outcome.PreconditionFailed p) {
                throw ApiException.preconditionFailed(
                    conditionField,
                    conditionField + ": " + WriteResults.preconditionMessage(p),
                    p.currentRevision());
              }
              WriteResults.throwIfRefused(o);
              return o;
            });
  }
}
