package dev.quorumdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Whether a StatefulSet pod is being scaled away (its ordinal is at or above the StatefulSet's
 * replicas) rather than restarted, asked of the Kubernetes API with the pod's service account (it
 * needs {@code get} on the StatefulSet). When the answer cannot be had, the pod stays a member: the
 * autopilot removes a member that never comes back. Immutable.
 */
final class KubernetesScale {
  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");
  private static final Pattern POD = Pattern.compile("(.+)-(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String apiBase;
  private final String namespace;
  private final String token;
  private final SSLContext tls;

  /** What to do, and why, for people. */
  record Decision(boolean leave, String reason) {}

  KubernetesScale(String apiBase, String namespace, String token, SSLContext tls) {
    this.apiBase = apiBase;
    this.namespace = namespace;
    this.token = token;
    this.tls = tls;
  }

  /** The API and credentials of the pod this runs in; a usage error outside a pod. */
  static KubernetesScale fromPod(Map<String, String> env) {
    String host = env.get("KUBERNETES_SERVICE_HOST");
    if (host == null || !Files.isReadable(SERVICE_ACCOUNT.resolve("token"))) {
      throw new UsageException(
          "if-scaled-down",
          "needs a Kubernetes pod (KUBERNETES_SERVICE_HOST and a service "
              + "account token under "
              + SERVICE_ACCOUNT
              + ")");
    }
    try {
      return new KubernetesScale(
          "https://"
              + (host.indexOf(':') >= 0 ? "[" + host + "]" : host)
              + ":"
              + env.getOrDefault("KUBERNETES_SERVICE_PORT", "443"),
          Files.readString(SERVICE_ACCOUNT.resolve("namespace"), StandardCharsets.UTF_8).trim(),
          Files.readString(SERVICE_ACCOUNT.resolve("token"), StandardCharsets.UTF_8).trim(),
          ClientTls.context(SERVICE_ACCOUNT.resolve("ca.crt"), null, null));
    } catch (IOException e) {
      throw new UsageException(
          "if-scaled-down", "cannot read the service account: " + e.getMessage());
    }
  }

  /** This machine's host name (a pod's name): {@code HOSTNAME}, else what the system says. */
  static String hostname(Map<String, String> env) {
    String h = env.get("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      throw new UsageException(
          "id", "is required (the host name is unknown: " + e.getMessage() + ")");
    }
  }

  Decision check(String pod) throws InterruptedException {
    Matcher m = POD.matcher(pod);
    if (!m.matches()) {
      return new Decision(
          false, pod + " is not a StatefulSet pod name (<statefulset>-<ordinal>); staying");
    }
    String set = m.group(1);
    long ordinal = Long.parseLong(m.group(2));
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (tls != null) {
      b.sslContext(tls);
    }
    HttpResponse<String> r;
    try {
      r =
          b.build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              apiBase
                                  + "/apis/apps/v1/namespaces/"
                                  + namespace
                                  + "/statefulsets/"
                                  + set))
                      .header("Authorization", "Bearer " + token)
                      .timeout(Duration.ofSeconds(10))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Decision(
          false,
          "cannot ask the Kubernetes API about StatefulSet "
              + set
              + " ("
              + e
              + "); staying (the autopilot removes a member that does not come back)");
    }
    if (r.statusCode() == 404) {
      return new Decision(
          false, "StatefulSet " + set + " is gone (deleted, not scaled down); staying");
    }
    if (r.statusCode() != 200) {
      return new Decision(
          false,
          "the Kubernetes API answered "
              + r.statusCode()
              + " for StatefulSet "
              + set
              + " (does the pod's service account have get on statefulsets?); staying");
    }
    JsonNode spec;
    try {
      spec = JSON.readTree(r.body()).path("spec");
    } catch (IOException e) {
      return new Decision(false, "unreadable StatefulSet " + set + "; staying");
    }
    long replicas = spec.path("replicas").asLong(1);
    return ordinal >= replicas
        ? new Decision(
            true,
            "StatefulSet "
                + set
                + " scaled down to "
                + replicas
                + ": "
                + pod
                + " leaves the cluster")
        : new Decision(
            false,
            pod
                + " is within StatefulSet "
                + set
                + "'s "
                + replicas
                + " replicas (a restart, "
                + "not a scale-down): staying a member");
  }
}
