package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.IpAddresses;
import dev.quorumdns.registry.NodeRecord;
import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry revision is the SOA serial: it moves to an entry's index when, and only when, that
 * entry changes what the registry serves (services, node records, settings). Bookkeeping such as a
 * hold-down running out, a refusal or a write of the same body again leaves it where it was.
 */
@Timeout(30)
class RevisionTest {
  private static final long HOLD = 60_000;
  private static final ClusterSettings SETTINGS =
      TestRegistries.settings("10.7.0.0/29", "fd00:7::/125", HOLD);
  private static final ServiceSpec WEB =
      ServiceSpec.ofPorts(new ServicePort("http", Protocol.TCP, 80));

  @TempDir Path dir;

  private static Outcome upsert(Registry r, String name, ServiceSpec spec, long time) {
    return TestRegistries.apply(
        r, new Command.UpsertService(new ServiceKey("p", name), spec), time);
  }

  @Test
  void theSameBodyAgainMovesNothingEvenWhenAHoldDownRunsOutMeanwhile() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    long t = TestRegistries.T0;
    Service web = ((Outcome.Written) upsert(r, "web", WEB, t)).service();
    upsert(r, "gone", WEB, t);
    TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("p", "gone")), t);
    long revision = r.view().revision();
    assertEquals(r.meta().appliedIndex(), revision, "the delete changed the registry");

    // Past the hold-down: applying anything now also releases the hold, which no reader can see.
    Outcome again = upsert(r, "web", WEB, t + HOLD + 1);
    assertEquals(new Outcome.Written(web, false, false), TestRegistries.timeless(again));
    assertEquals(
        revision, r.view().revision(), "a write of the same body is no change to the zone");
    assertEquals(revision, r.meta().revision());
    assertEquals(t + HOLD + 1, r.meta().logTimeMillis(), "log time still moves");
    r.close();
  }

  @Test
  void onlyEntriesThatChangeWhatIsServedMoveTheRevision() throws IOException {
    Registry r = TestRegistries.open(dir, SETTINGS);
    long init = r.view().revision();
    assertEquals(1, init, "fixing the settings is a change");

    Outcome created = upsert(r, "web", WEB, TestRegistries.T0);
    long idx = r.meta().appliedIndex();
    assertEquals(idx, r.view().revision());
    Service web = ((Outcome.Written) created).service();
    assertEquals(idx, web.revision());
    assertEquals(idx, web.createRevision());

    // Refusals and no-ops.
    List<Command> noops =
        List.of(
            new Command.UpsertService(web.key(), WEB),
            new Command.UpsertService(
                web.key(), new ServiceSpec(WEB.ports(), List.of(), Map.of(), web.vip4(), null)),
            new Command.UpsertService(
                web.key(),
                new ServiceSpec(
                    WEB.ports(),
                    List.of(),
                    Map.of(),
                    (java.net.Inet4Address)
                        SETTINGS
                            .vip4Pool()
                            .addressAt(SETTINGS.vip4Pool().offsetOf(web.vip4()) % 6 + 1),
                    null)),
            new Command.DeleteService(new ServiceKey("p", "absent")),
            new Command.RemoveNode("n9"),
            new Command.InitCluster(ClusterSettings.defaults()),
            new Command.Batch(
                List.of(
                    new Command.UpsertService(new ServiceKey("p", "x"), WEB),
                    new Command.DeleteService(new ServiceKey("p", "absent")))),
            new Command.Group(List.of(new Command.DeleteService(new ServiceKey("p", "absent")))));
    for (Command c : noops) {
      List<Service> before = r.view().services();
      Outcome o = TestRegistries.apply(r, c);
      assertEquals(idx, r.view().revision(), c + " -> " + o);
      assertEquals(before, r.view().services(), c + " -> " + o);
    }
    assertEquals(
        new Outcome.Initialized(SETTINGS, false),
        TestRegistries.apply(r, new Command.InitCluster(ClusterSettings.defaults())),
        "only the first settings take effect");
    r.advance(2, r.meta().appliedIndex() + 1);
    assertEquals(idx, r.view().revision(), "a configuration entry changes no record");

    // Changes.
    Outcome updated =
        upsert(
            r,
            "web",
            ServiceSpec.ofPorts(new ServicePort("http", Protocol.TCP, 8080)),
            TestRegistries.T0);
    Service web2 = ((Outcome.Written) updated).service();
    assertEquals(r.meta().appliedIndex(), r.view().revision());
    assertEquals(r.meta().appliedIndex(), web2.revision());
    assertEquals(
        web.createRevision(), web2.createRevision(), "an update keeps the create revision");
    assertEquals(web.vip4(), web2.vip4());
    assertEquals(web.vip6(), web2.vip6());

    NodeRecord n1 = new NodeRecord("n1", IpAddresses.parse("a", "127.0.0.11"), 1, 2, 3);
    TestRegistries.apply(r, new Command.PutNode(n1));
    assertEquals(
        r.meta().appliedIndex(),
        r.view().revision(),
        "node records are served (<id>.node.<domain>)");
    long afterNode = r.view().revision();
    assertEquals(
        new Outcome.NodeWritten(n1, false), TestRegistries.apply(r, new Command.PutNode(n1)));
    assertEquals(afterNode, r.view().revision());

    Outcome grouped =
        TestRegistries.apply(
            r,
            new Command.Group(
                List.of(
                    new Command.DeleteService(new ServiceKey("p", "absent")),
                    new Command.UpsertService(new ServiceKey("p", "g"), WEB))));
    assertInstanceOf(Outcome.GroupApplied.class, grouped);
    assertEquals(
        r.meta().appliedIndex(), r.view().revision(), "one applied command of a group is a change");
    r.close();
  }

  @Test
  void theRevisionSurvivesARestart() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    upsert(r, "web", WEB, TestRegistries.T0);
    long revision = r.view().revision();
    upsert(r, "web", WEB, TestRegistries.T0);
    assertTrue(r.meta().appliedIndex() > revision);
    r.close();
    Registry again = TestRegistries.load(dir);
    assertEquals(revision, again.view().revision());
    assertFalse(again.meta().appliedIndex() == revision);
    again.close();
  }

  @Test
  void listenersHearEveryMoveOfTheRevisionOnceReadersSeeIt() throws IOException {
    Registry r = TestRegistries.open(dir.resolve("a"), SETTINGS);
    List<Long> heard = new ArrayList<>();
    List<Long> seen = new ArrayList<>();
    r.onRevision(
        revision -> {
          heard.add(revision);
          seen.add(r.view().revision());
        });
    upsert(r, "web", WEB, TestRegistries.T0);
    long created = r.view().revision();
    upsert(r, "web", WEB, TestRegistries.T0);
    TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("p", "absent")));
    r.advance(1, r.meta().appliedIndex() + 1);
    assertEquals(
        List.of(created), heard, "a no-op, a refusal and a configuration entry move nothing");
    TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("p", "web")));
    long deleted = r.view().revision();
    assertEquals(List.of(created, deleted), heard);
    assertEquals(heard, seen, "readers see the revision before listeners hear of it");

    Registry other = TestRegistries.open(dir.resolve("b"), SETTINGS);
    upsert(other, "x", WEB, TestRegistries.T0);
    upsert(other, "y", WEB, TestRegistries.T0);
    other.checkpoint(dir.resolve("cp"));
    r.restore(dir.resolve("cp"));
    assertEquals(
        List.of(created, deleted, other.view().revision()), heard, "a restored state is a move");
    other.close();
    r.close();
  }
}
