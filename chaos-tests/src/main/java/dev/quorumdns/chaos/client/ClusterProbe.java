package dev.quorumdns.chaos.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quorumdns.chaos.history.ClusterView;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads a node's {@code GET /v1/cluster} with what the autopilot adds on the leader (per member
 * role, health, last contact, and the autopilot's decision). Thread-safe.
 */
public final class ClusterProbe {
  /** A node's answer: its view, its revision, and the autopilot's decision and last action. */
  public record Answer(ClusterView view, long revision, String decision, String lastAction) {}

  private final Function<String, URI> baseUri;
  private final Duration timeout;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();

  public ClusterProbe(Function<String, URI> baseUri, Duration timeout) {
    this.baseUri = baseUri;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
  }

  /** The node's answer, or empty when it gave none (down, cut off, not 200). */
  public Optional<Answer> poll(String node) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(baseUri.apply(node).resolve("/v1/cluster"))
                  .timeout(timeout)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      return Optional.of(parse(json.readTree(response.body())));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Parses a {@code /v1/cluster} body. */
  static Answer parse(JsonNode t) {
    List<ClusterView.Member> members = new ArrayList<>();
    t.path("members")
        .forEach(
            m ->
                members.add(
                    new ClusterView.Member(
                        m.path("id").asText(),
                        !"listener".equals(m.path("role").asText()),
                        m.hasNonNull("healthy") ? m.get("healthy").asBoolean() : null,
                        m.hasNonNull("lastContactMs") ? m.get("lastContactMs").asLong() : null)));
    JsonNode autopilot = t.path("autopilot");
    return new Answer(
        new ClusterView(
            t.hasNonNull("leader") ? t.get("leader").asText() : null,
            t.path("term").asLong(),
            members),
        t.path("revision").asLong(),
        autopilot.hasNonNull("decision") ? autopilot.get("decision").asText() : null,
        autopilot.hasNonNull("lastAction") ? autopilot.get("lastAction").asText() : null);
  }
}
