package dev.quorumdns.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.quorumdns.node.config.ConfigLoader;
import dev.quorumdns.node.config.NodeConfig;
import dev.quorumdns.node.config.NodeFlags;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes manifests against the Kubernetes API schemas (fabric8's models, generated from the
 * Kubernetes OpenAPI definitions; Prometheus Operator types for the ServiceMonitor and
 * PrometheusRule): every field must exist and have the schema's type. Then what the deployment
 * relies on: no namespace written in, formation through the headless Service, probes on the plain
 * metrics listener, Secrets for TLS and tokens, the preStop leave, and a ConfigMap the node itself
 * accepts.
 */
class KubernetesManifestsTest {
  private static final Path DIR =
      Path.of("..", "deploy", "kubernetes").toAbsolutePath().normalize();
  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "ServiceAccount",
          ServiceAccount.class,
          "Role",
          Role.class,
          "RoleBinding",
          RoleBinding.class,
          "ConfigMap",
          ConfigMap.class,
          "Service",
          Service.class,
          "PodDisruptionBudget",
          PodDisruptionBudget.class,
          "NetworkPolicy",
          NetworkPolicy.class,
          "StatefulSet",
          StatefulSet.class,
          "ServiceMonitor",
          ServiceMonitor.class,
          "PrometheusRule",
          PrometheusRule.class);

  /** Unknown fields are errors: the models' catch-all for them is switched off. */
  private static final ObjectMapper STRICT =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .setAnnotationIntrospector(
              new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                  return Boolean.FALSE;
                }
              });

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private static Map<String, HasMetadata> objects() throws IOException {
    Map<String, HasMetadata> out = new HashMap<>();
    for (Path f : List.of(DIR.resolve("quorumdns.yaml"), DIR.resolve("monitoring.yaml"))) {
      for (JsonNode doc :
          YAML.readValues(YAML.createParser(f.toFile()), JsonNode.class).readAll()) {
        HasMetadata o = STRICT.treeToValue(doc, KINDS.get(doc.path("kind").asText()));
        out.put(o.getKind() + "/" + o.getMetadata().getName(), o);
      }
    }
    return out;
  }

  @Test
  void everyDocumentMatchesTheSchemaOfItsKind() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path f : files()) {
      for (JsonNode doc :
          YAML.readValues(YAML.createParser(f.toFile()), JsonNode.class).readAll()) {
        String kind = doc.path("kind").asText();
        String where =
            f.getFileName() + " " + kind + "/" + doc.path("metadata").path("name").asText();
        Class<? extends HasMetadata> type = KINDS.get(kind);
        if (type == null) {
          problems.add(where + ": no schema known for kind " + kind);
          continue;
        }
        try {
          HasMetadata o = STRICT.treeToValue(doc, type);
          String expected = HasMetadata.getApiVersion(type);
          if (!expected.equals(doc.path("apiVersion").asText())) {
            problems.add(
                where
                    + ": apiVersion "
                    + doc.path("apiVersion").asText()
                    + " (expected "
                    + expected
                    + ")");
          }
          assertNotNull(o.getMetadata().getName(), where);
          checked++;
        } catch (IOException e) {
          problems.add(where + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    assertTrue(checked >= 11, "checked " + checked + " documents");
  }

  @Test
  void theSchemaCheckCatchesAMisspelledField() {
    String bad =
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec: {replica: 3}\n";
    String wrongType =
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: many}]}\n";
    for (String doc : List.of(bad, wrongType)) {
      try {
        JsonNode n = YAML.readTree(doc);
        STRICT.treeToValue(n, KINDS.get(n.path("kind").asText()));
        fail("accepted: " + doc);
      } catch (IOException expected) {
        // the point
      }
    }
  }

  @Test
  void noNamespaceIsWrittenIn() throws IOException {
    for (String name : List.of("quorumdns.yaml", "monitoring.yaml")) {
      String text =
          Files.readString(DIR.resolve(name))
              .lines()
              .filter(l -> !l.strip().startsWith("#"))
              .collect(Collectors.joining("\n"));
      assertFalse(
          text.contains("namespace:")
              || text.contains(".default.")
              || text.contains(".svc.cluster.local"),
          name + " names a namespace or the cluster domain");
    }
  }

  @Test
  void membersFormTheirOwnClusterThroughTheHeadlessServiceAndLeaveOnScaleDown() throws IOException {
    Map<String, HasMetadata> o = objects();
    StatefulSet sts = (StatefulSet) o.get("StatefulSet/quorumdns");
    Service peers = (Service) o.get("Service/" + sts.getSpec().getServiceName());
    assertEquals("None", peers.getSpec().getClusterIP());
    assertTrue(
        peers.getSpec().getPublishNotReadyAddresses(),
        "candidates must find each other before ready");
    JsonNode conf =
        YAML.readTree(((ConfigMap) o.get("ConfigMap/quorumdns")).getData().get("quorumdns.yaml"));
    assertEquals(peers.getMetadata().getName(), conf.path("retry-join").asText());
    assertEquals(3, conf.path("bootstrap-expect").asInt());
    Container c = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports =
        c.getPorts().stream()
            .collect(
                Collectors.toMap(
                    ContainerPort::getName, ContainerPort::getContainerPort, (a, b) -> a));
    assertEquals(conf.path("metrics-addr").asText(), "0.0.0.0:" + ports.get("metrics"));
    assertEquals("metrics", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
    assertEquals("metrics", c.getLivenessProbe().getHttpGet().getPort().getStrVal());
    assertEquals(
        List.of("members", "leave", "--if-scaled-down"),
        c.getLifecycle().getPreStop().getExec().getCommand().subList(1, 4));
    Role role = (Role) o.get("Role/quorumdns-scale-reader");
    assertEquals(List.of(sts.getMetadata().getName()), role.getRules().get(0).getResourceNames());
    assertEquals(
        sts.getSpec().getTemplate().getSpec().getServiceAccountName(),
        ((RoleBinding) o.get("RoleBinding/quorumdns-scale-reader")).getSubjects().get(0).getName());
    Set<String> secrets =
        sts.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .map(Volume::getSecret)
            .map(s -> s.getSecretName())
            .collect(Collectors.toSet());
    assertEquals(Set.of("quorumdns-tls", "quorumdns-tokens"), secrets);
    ServiceMonitor sm = (ServiceMonitor) o.get("ServiceMonitor/quorumdns");
    assertTrue(
        peers
            .getMetadata()
            .getLabels()
            .entrySet()
            .containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()),
        "the ServiceMonitor selects the peers Service");
    assertTrue(
        peers.getSpec().getPorts().stream()
            .anyMatch(p -> p.getName().equals(sm.getSpec().getEndpoints().get(0).getPort())),
        "it scrapes a port the Service has");
    NetworkPolicy np = (NetworkPolicy) o.get("NetworkPolicy/quorumdns");
    np.getSpec()
        .getIngress()
        .forEach(
            rule ->
                rule.getPorts()
                    .forEach(
                        p ->
                            assertTrue(
                                ports.containsKey(p.getPort().getStrVal()),
                                "a NetworkPolicy port the container names: " + p.getPort())));
  }

  @Test
  void theNodeAcceptsTheConfigMapAsItsConfigFile(@TempDir Path tmp) throws IOException {
    Map<String, HasMetadata> o = objects();
    Path file = tmp.resolve("quorumdns.yaml");
    Files.writeString(
        file,
        ((ConfigMap) o.get("ConfigMap/quorumdns"))
            .getData()
            .get("quorumdns.yaml")
            .replace("/etc/quorumdns/tls/", tmp.resolve("tls").toString() + "/"));
    Files.createDirectories(tmp.resolve("tls"));
    for (String f : List.of("tls.crt", "tls.key", "ca.crt")) {
      Files.writeString(tmp.resolve("tls").resolve(f), "");
    }
    NodeConfig c =
        ConfigLoader.load(
            NodeFlags.parse(List.of("--config", file.toString())),
            Map.of(
                "QUORUMDNS_ID",
                "quorumdns-0",
                "QUORUMDNS_ADVERTISE",
                "10.1.2.3",
                "QUORUMDNS_ADVERTISE_RAFT",
                "quorumdns-0.quorumdns-peers:9053",
                "QUORUMDNS_DATA_DIR",
                tmp.toString()));
    assertEquals(3, c.discovery().bootstrapExpect());
    assertEquals("quorumdns-0.quorumdns-peers:9053", c.discovery().advertiseRaft().toString());
    assertEquals(8054, c.metricsAddr().port());
  }
}
