package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.registry.Protocol;
import dev.quorumdns.registry.RegistrySnapshot;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServicePort;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.ValidationException;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.command.Precondition;
import dev.quorumdns.registry.history.ServiceChange;
import dev.quorumdns.registry.testing.TestRegistries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compare-and-set is decided inside apply, against the state the entry finds: a write whose
 * precondition does not hold is refused with the service's current revision and changes nothing (no
 * revision, no change record); in a batch it refuses the whole batch; in a group (writes batched
 * into one entry) the first of two writers expecting the same revision wins and the second is
 * refused.
 */
@Timeout(30)
class ConditionalWriteTest {
  private static final ServiceKey WEB = new ServiceKey("p", "web");
  private static final ServiceSpec V1 =
      ServiceSpec.ofPorts(new ServicePort("http", Protocol.TCP, 80));
  private static final ServiceSpec V2 =
      ServiceSpec.ofPorts(new ServicePort("http", Protocol.TCP, 8080));
  private static final ServiceSpec V3 =
      ServiceSpec.ofPorts(new ServicePort("http", Protocol.TCP, 9090));

  @TempDir Path dir;
  private Registry r;

  @BeforeEach
  void open() {
    r = TestRegistries.open(dir);
  }

  @AfterEach
  void close() {
    r.close();
  }

  private Outcome apply(Command c) {
    return TestRegistries.apply(r, c);
  }

  private static Command upsert(ServiceSpec spec, Precondition p) {
    return new Command.UpsertService(WEB, spec, p);
  }

  /**
   * Asserts {@code o} refused a write expecting {@code expected} with the service at {@code
   * current}.
   */
  private void refusedWithNothingChanged(
      Outcome o, Precondition expected, long current, long revisionBefore) {
    assertEquals(new Outcome.PreconditionFailed(WEB, expected, current), o);
    assertEquals(revisionBefore, r.view().revision(), "a refused write moves no revision");
    assertEquals(
        List.of(), changesAfter(revisionBefore), "a refused write leaves no change record");
  }

  private List<ServiceChange> changesAfter(long revision) {
    List<ServiceChange> out = new ArrayList<>();
    try (RegistrySnapshot s = r.snapshot();
        var c = s.changesAfter(revision)) {
      c.forEachRemaining(out::add);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  @Test
  void anUpdateAppliesOnlyAtTheRevisionItExpects() {
    Service created = ((Outcome.Written) apply(upsert(V1, new Precondition.Absent()))).service();
    Precondition stale = new Precondition.Revision(created.revision() - 1);
    refusedWithNothingChanged(
        apply(upsert(V2, stale)), stale, created.revision(), created.revision());
    assertEquals(created, r.view().get(WEB));

    Outcome.Written updated =
        (Outcome.Written) apply(upsert(V2, new Precondition.Revision(created.revision())));
    assertEquals(V2, updated.service().spec());
    assertEquals(r.meta().appliedIndex(), updated.service().revision());
    assertEquals(created.createRevision(), updated.service().createRevision());
    assertEquals(created.vip4(), updated.service().vip4(), "a conditional update keeps the VIP");

    // The same body again at the right revision changes nothing; at a wrong one it is still
    // refused.
    long now = updated.service().revision();
    assertEquals(
        new Outcome.Written(updated.service(), false, false),
        TestRegistries.timeless(apply(upsert(V2, new Precondition.Revision(now)))));
    refusedWithNothingChanged(
        apply(upsert(V2, new Precondition.Revision(created.revision()))),
        new Precondition.Revision(created.revision()),
        now,
        now);
  }

  @Test
  void createOnlyAndUpdateOnly() {
    refusedWithNothingChanged(
        apply(upsert(V1, new Precondition.Present())),
        new Precondition.Present(),
        0,
        r.view().revision());
    assertNull(r.view().get(WEB));
    Service created = ((Outcome.Written) apply(upsert(V1, new Precondition.Absent()))).service();
    refusedWithNothingChanged(
        apply(upsert(V2, new Precondition.Absent())),
        new Precondition.Absent(),
        created.revision(),
        created.revision());
    assertEquals(
        V2, ((Outcome.Written) apply(upsert(V2, new Precondition.Present()))).service().spec());
  }

  @Test
  void aDeleteAppliesOnlyAtTheRevisionItExpects() {
    Service created = ((Outcome.Written) apply(upsert(V1, null))).service();
    Precondition wrong = new Precondition.Revision(created.revision() + 1);
    refusedWithNothingChanged(
        apply(new Command.DeleteService(WEB, wrong)),
        wrong,
        created.revision(),
        created.revision());
    assertEquals(
        new Outcome.Deleted(created),
        TestRegistries.timeless(
            apply(new Command.DeleteService(WEB, new Precondition.Revision(created.revision())))));
    long after = r.view().revision();
    // Nothing there: a conditional delete is refused (the condition cannot hold), an unconditional
    // one is 404.
    Precondition any = new Precondition.Revision(created.revision());
    refusedWithNothingChanged(apply(new Command.DeleteService(WEB, any)), any, 0, after);
    assertEquals(new Outcome.NotFound(WEB), apply(new Command.DeleteService(WEB)));
    assertThrows(
        ValidationException.class, () -> new Command.DeleteService(WEB, new Precondition.Absent()));
  }

  @Test
  void aFailedPreconditionRefusesTheWholeBatch() {
    Service web = ((Outcome.Written) apply(upsert(V1, null))).service();
    ServiceKey api = new ServiceKey("p", "api");
    Precondition stale = new Precondition.Revision(web.revision() + 5);
    Outcome o =
        apply(
            new Command.Batch(
                List.of(
                    new Command.UpsertService(api, V1), new Command.DeleteService(WEB, stale))));
    assertEquals(
        new Outcome.BatchRefused(1, new Outcome.PreconditionFailed(WEB, stale, web.revision())), o);
    assertNull(r.view().get(api), "nothing of the batch was applied");
    assertEquals(web.revision(), r.view().revision());
  }

  @Test
  void twoWritersExpectingTheSameRevisionInOneEntryOneWins() {
    Service web = ((Outcome.Written) apply(upsert(V1, null))).service();
    Precondition seen = new Precondition.Revision(web.revision());
    Outcome o = apply(new Command.Group(List.of(upsert(V2, seen), upsert(V3, seen))));
    List<Outcome> outcomes = ((Outcome.GroupApplied) o).outcomes();
    Service won = ((Outcome.Written) outcomes.get(0)).service();
    assertEquals(V2, won.spec());
    assertEquals(new Outcome.PreconditionFailed(WEB, seen, won.revision()), outcomes.get(1));
    assertEquals(won, r.view().get(WEB));
    List<ServiceChange> changes = changesAfter(web.revision());
    assertEquals(1, changes.size(), "one change: the winner's");
    assertInstanceOf(Service.class, changes.get(0).current());
    assertEquals(V2, changes.get(0).current().spec());
  }
}
