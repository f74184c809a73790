package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.codec.CodecException;
import dev.quorumdns.registry.codec.OutcomeCodec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Written and deleted outcomes carry the log time their entry was applied at: the time hold-downs
 * are measured by, so a client (the chaos suite) can judge the hold-down on the cluster's own time.
 */
class OutcomeLogTimeTest {
  private static final long T0 = TestRegistries.T0;
  private static final ClusterSettings SETTINGS =
      TestRegistries.settings("10.0.0.0/29", "fd00::/125", 60_000);

  @TempDir Path dir;

  private static Command upsert(String name) {
    return new Command.UpsertService(new ServiceKey("p", name), ServiceSpec.ofPorts());
  }

  @Test
  void writesAndDeletesAnswerTheLogTimeTheEntryWasAppliedAt() throws CodecException {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Outcome.Written created =
        assertInstanceOf(Outcome.Written.class, TestRegistries.apply(r, upsert("a"), T0 + 5_000));
    assertEquals(T0 + 5_000, created.logTimeMillis());
    // A leader whose clock is behind stamps an older time: the log time stays at the newest seen,
    // and that is the time the answer carries (and the hold-down starts from).
    Outcome.Deleted deleted =
        assertInstanceOf(
            Outcome.Deleted.class,
            TestRegistries.apply(r, new Command.DeleteService(new ServiceKey("p", "a")), T0 + 10));
    assertEquals(T0 + 5_000, deleted.logTimeMillis());
    Outcome.BatchApplied batch =
        assertInstanceOf(
            Outcome.BatchApplied.class,
            TestRegistries.apply(
                r, new Command.Batch(List.of(upsert("b"), upsert("c"))), T0 + 9_000));
    for (Outcome o : batch.outcomes()) {
      assertEquals(T0 + 9_000, assertInstanceOf(Outcome.Written.class, o).logTimeMillis());
    }
    // The reply format keeps the time (version 2); an outcome without one stays in version 1.
    byte[] encoded = OutcomeCodec.encode(deleted);
    assertEquals(OutcomeCodec.OUTCOME_V2, encoded[0]);
    assertEquals(deleted, OutcomeCodec.decode(encoded));
    assertEquals(
        OutcomeCodec.OUTCOME_V1, OutcomeCodec.encode(new Outcome.Deleted(deleted.service()))[0]);
    r.close();
  }

  @Test
  void aVersionOneOutcomeWithATimedTagIsRefused() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    byte[] encoded = OutcomeCodec.encode(TestRegistries.apply(r, upsert("a"), T0 + 1));
    r.close();
    assertEquals(OutcomeCodec.OUTCOME_V2, encoded[0]);
    encoded[0] = (byte) OutcomeCodec.OUTCOME_V1;
    assertThrows(CodecException.class, () -> OutcomeCodec.decode(encoded));
  }
}
