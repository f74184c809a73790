package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.auth.Caller;
import dev.quorumdns.node.auth.Scope;
import dev.quorumdns.node.runtime.NodeRuntime;
import dev.quorumdns.registry.DnsLabel;
import dev.quorumdns.registry.RegistryView;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code /v1/services} and {@code /v1/batch}: validation before anything is sent, writes through Raft, reads
 * linearizable by default or from local state with {@code ?stale}. Thread-safe.
 */
final class ServiceRoutes {
  private static final Set<String> OPERATION_FIELDS = Set.of("op", "namespace", "name", "service");
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
    ServiceSpec spec = ServiceJson.parseSpec(Json.parse(call.request().body()));
    Command command = new Command.UpsertService(key, spec);
    return write(command).thenApply(o -> {
      Outcome.Written w = (Outcome.Written) o;
      return ApiResponse.json(w.created() ? 201 : 200, ServiceJson.write(w.service(), node.domain()));
    });
  }

  CompletableFuture<ApiResponse> delete(Route.Call call) {
    ServiceKey key = key(call);
    return write(new Command.DeleteService(key))
        .thenApply(o -> ApiResponse.json(200, ServiceJson.write(((Outcome.Deleted) o).service(), node.domain())));
  }

  CompletableFuture<ApiResponse> get(Route.Call call) {
    ServiceKey key = key(call);
    return read(call.request()).thenApply(view -> {
      Service s = view.get(key);
      if (s == null) {
        throw ApiException.notFound("no service " + key);
      }
      return ApiResponse.json(200, ServiceJson.write(s, node.domain()));
    });
  }

  CompletableFuture<ApiResponse> list(Route.Call call) {
    ApiRequest r = call.request();
    String ns = r.param("namespace");
    String namespace = ns == null ? null : DnsLabel.normalize("namespace", ns);
    return read(r).thenApply(view -> {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      out.put("revision", view.revision());
      ArrayNode arr = out.putArray("services");
      for (Service s : namespace == null ? view.services() : view.services(namespace)) {
        arr.add(ServiceJson.write(s, node.domain()));
      }
      return ApiResponse.json(200, out);
    });
  }

  /** {@code {"operations":[{"op":"put","namespace","name","service":{...}}, {"op":"delete",...}]}}. */
  CompletableFuture<ApiResponse> batch(Route.Call call) {
    JsonNode body = Json.parse(call.request().body());
    if (!body.isObject() || !body.path("operations").isArray()) {
      throw new ValidationException("operations", "is required (expected: an array of operations)");
    }
    ServiceJson.onlyFields(body, Set.of("operations"), "");
    JsonNode ops = body.get("operations");
    if (ops.size() > Command.Batch.MAX_COMMANDS) {
      throw new ValidationException("operations", "has " + ops.size() + " entries (expected: at most "
          + Command.Batch.MAX_COMMANDS + ")");
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
        ServiceKey key = new ServiceKey(ServiceJson.text(op.get("namespace"), "namespace"),
            ServiceJson.text(op.get("name"), "name"));
        String kind = ServiceJson.text(op.get("op"), "op");
        commands.add(switch (kind) {
          case "put" -> new Command.UpsertService(key, ServiceJson.parseSpec(op.get("service")));
          case "delete" -> new Command.DeleteService(key);
          default -> throw new ValidationException("op", "'" + kind + "' (expected: put or delete)");
        });
      } catch (ValidationException e) {
        throw e.within(at);
      }
    }
    Command.Batch batch = new Command.Batch(commands);
    List<AuditLog.Target> targets = new ArrayList<>();
    Set<String> namespaces = new TreeSet<>();
    for (Command c : batch.commands()) {
      ServiceKey key = c instanceof Command.UpsertService u ? u.key() : ((Command.DeleteService) c).key();
      targets.add(new AuditLog.Target(c instanceof Command.UpsertService ? "put" : "delete",
          key.namespace() + "/" + key.name()));
      namespaces.add(key.namespace());
    }
    call.audit(targets);
    namespaces.forEach(ns -> requireWrite(call.caller(), ns));
    return write(batch).thenApply(o -> {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      ArrayNode results = out.putArray("results");
      ((Outcome.BatchApplied) o).outcomes().forEach(x -> results.add(WriteResults.describe(x, node.domain())));
      return ApiResponse.json(200, out);
    });
  }

  private CompletableFuture<Outcome> write(Command command) {
    Outcome refused = node.precheck(command);
    if (refused != null) {
      WriteResults.throwIfRefused(refused);
    }
    return node.submit(command).thenApply(result -> {
      Outcome o = WriteResults.applied(result);
      WriteResults.throwIfRefused(o);
      return o;
    });
  }

  private CompletableFuture<RegistryView> read(ApiRequest r) {
    if (r.flag("stale")) {
      return CompletableFuture.completedFuture(node.view());
    }
    return node.readBarrier().handle((index, err) -> {
      if (err != null) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        throw ApiException.noQuorum("linearizable read failed (" + cause.getMessage()
            + "); retry, or add ?stale to read this node's copy");
      }
      return node.view();
    });
  }
}
