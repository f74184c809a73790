package dev.quorumdns.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quorumdns.node.runtime.ClusterStatus;
import dev.quorumdns.node.runtime.FormationInfo;
import dev.quorumdns.node.runtime.SnapshotInfo;
import dev.quorumdns.node.runtime.ZoneRecord;
import dev.quorumdns.registry.ClusterSettings;
import java.time.Duration;
import java.util.List;

/**
 * JSON forms of the runtime's cluster values: {@code /v1/cluster}, snapshots and records.
 * Stateless.
 */
final class ClusterJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ClusterJson() {}

  /**
   * {@code {id, leader, term, commitIndex, appliedIndex, revision, services, members:[...],
   * settings?}}.
   */
  static ObjectNode status(ClusterStatus s) {
    ObjectNode o = F.objectNode();
    o.put("id", s.id());
    o.put("leader", s.leader());
    o.put("term", s.term());
    o.put("commitIndex", s.commitIndex());
    o.put("appliedIndex", s.appliedIndex());
    o.put("revision", s.revision());
    o.put("services", s.services());
    ArrayNode members = o.putArray("members");
    for (ClusterStatus.Member m : s.members()) {
      ObjectNode member =
          members
              .addObject()
              .put("id", m.id())
              .put("role", m.role().label())
              .put("raft", m.raft())
              .put("api", m.api())
              .put("dns", m.dns());
      if (m.health() != null) {
        member
            .put("lastContactMs", m.health().lastContactMillis())
            .put("logLag", m.health().logLag())
            .put("healthy", m.health().healthy())
            .put("autopilot", m.health().autopilot());
      }
    }
    if (s.settings() != null) {
      o.set("settings", settings(s.settings()));
    }
    if (s.autopilot() != null) {
      o.putObject("autopilot")
          .put("tracking", s.autopilot().tracking())
          .put("decision", s.autopilot().decision())
          .put("lastAction", s.autopilot().lastAction());
    }
    if (s.formation() != null) {
      o.put("formation", s.formation());
    }
    return o;
  }

  /**
   * {@code {id, cluster, raft, api, bootstrapExpect, phase, founders, proposal, leader, voters,
   * listeners, confCommitted, reason}}: what nodes looking for their cluster read (raft-node's
   * {@code PeerProbe} parses it).
   */
  static ObjectNode formation(FormationInfo f) {
    ObjectNode o =
        F.objectNode()
            .put("id", f.id())
            .put("cluster", f.cluster())
            .put("raft", f.raft())
            .put("api", f.api())
            .put("bootstrapExpect", f.bootstrapExpect())
            .put("phase", f.phase().label());
    o.set("founders", peers(f.founders()));
    o.set("proposal", peers(f.proposal()));
    o.put("leader", f.leader());
    o.set("voters", peers(f.voters()));
    o.set("listeners", peers(f.listeners()));
    o.put("confCommitted", f.confCommitted());
    o.put("reason", f.reason());
    return o;
  }

  private static JsonNode peers(List<FormationInfo.Peer> peers) {
    if (peers == null) {
      return F.nullNode();
    }
    ArrayNode out = F.arrayNode();
    peers.forEach(p -> out.addObject().put("id", p.id()).put("raft", p.raft()));
    return out;
  }

  private static ObjectNode settings(ClusterSettings s) {
    ObjectNode o = F.objectNode();
    o.put("vipCidr", s.vip4Pool().cidr());
    o.put("vip6Cidr", s.vip6Pool() == null ? null : s.vip6Pool().cidr());
    o.put("vipHoldDown", Duration.ofMillis(s.holdDownMillis()).toString());
    return o;
  }

  /** {@code {index, directory}}. */
  static ObjectNode snapshot(SnapshotInfo s) {
    return F.objectNode().put("index", s.index()).put("directory", s.directory().toString());
  }

  /** {@code [{name, type, ttl, data}, ...]}. */
  static ArrayNode records(List<ZoneRecord> records) {
    ArrayNode out = F.arrayNode();
    for (ZoneRecord r : records) {
      out.addObject()
          .put("name", r.name())
          .put("type", r.type())
          .put("ttl", r.ttl())
          .put("data", r.data());
    }
    return out;
  }
}
