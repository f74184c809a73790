package dev.quorumdns.registry.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quorumdns.registry.ClusterSettings;
import dev.quorumdns.registry.Endpoint;
import dev.quorumdns.registry.Service;
import dev.quorumdns.registry.ServiceKey;
import dev.quorumdns.registry.ServiceSpec;
import dev.quorumdns.registry.command.Command;
import dev.quorumdns.registry.command.Outcome;
import dev.quorumdns.registry.testing.TestRegistries;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Headless services in apply: no VIP, no hold-down, and no switching while registered. */
class HeadlessRulesTest {
  private static final ClusterSettings SETTINGS =
      TestRegistries.settings("240.0.0.0/28", "fd00::/124", 60_000);
  private static final ServiceKey DB = new ServiceKey("data", "db");

  @TempDir Path dir;

  private static ServiceSpec spec(boolean headless, String... addresses) {
    return new ServiceSpec(
        List.of(),
        Arrays.stream(addresses).map(a -> new Endpoint(a, 5432, null)).toList(),
        Map.of(),
        null,
        null,
        headless);
  }

  @Test
  void aHeadlessServiceHoldsNoVipAndLeavesNoHoldDown() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service db =
        TestRegistries.register(r, DB.namespace(), DB.name(), spec(true, "10.0.0.1", "fd00:1::1"));
    assertNull(db.vip4());
    assertNull(db.vip6());
    Service web = TestRegistries.register(r, "data", "web", spec(false));
    Registry without = TestRegistries.open(dir.resolve("without"), SETTINGS);
    Service alone = TestRegistries.register(without, "data", "web", spec(false));
    without.close();
    assertEquals(alone.vip4(), web.vip4(), "the headless service took nothing from the pool");
    assertEquals(alone.vip6(), web.vip6());
    assertEquals(db, r.view().get(DB));
    assertEquals(2, r.view().services("data").size());

    Service updated = TestRegistries.register(r, DB.namespace(), DB.name(), spec(true, "10.0.0.2"));
    assertEquals(db.createRevision(), updated.createRevision());
    TestRegistries.deregister(r, DB.namespace(), DB.name());
    r.close();
    r = TestRegistries.load(dir);
    assertNull(r.view().get(DB));
    Service again = TestRegistries.register(r, DB.namespace(), DB.name(), spec(false));
    assertNotNull(again.vip4(), "once deleted, the name may come back with a VIP");
    r.close();
  }

  @Test
  void aRegisteredServiceNeverSwitchesBetweenHeadlessAndNot() {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service db = TestRegistries.register(r, DB.namespace(), DB.name(), spec(true, "10.0.0.1"));
    Service web = TestRegistries.register(r, "data", "web", spec(false));
    long revision = r.view().revision();
    Outcome toVip = TestRegistries.apply(r, new Command.UpsertService(DB, spec(false, "10.0.0.1")));
    assertEquals("headless", ((Outcome.Conflict) toVip).field());
    Outcome toHeadless = TestRegistries.apply(r, new Command.UpsertService(web.key(), spec(true)));
    assertEquals("headless", ((Outcome.Conflict) toHeadless).field());
    assertEquals(db, r.view().get(DB));
    assertEquals(web, r.view().get(web.key()));
    assertEquals(web, r.view().byVip(web.vip4()), "the VIP stays with its name");
    assertEquals(revision, r.view().revision());
    r.close();
  }

  @Test
  void aHeadlessServiceSurvivesRestartsAndSnapshots() throws Exception {
    Registry r = TestRegistries.open(dir, SETTINGS);
    Service db = TestRegistries.register(r, DB.namespace(), DB.name(), spec(true, "10.0.0.1"));
    r.checkpoint(dir.resolve("cp"));
    r.close();
    r = TestRegistries.load(dir);
    assertEquals(db, r.view().get(DB));
    Registry other = TestRegistries.open(dir.resolve("other"), SETTINGS);
    other.restore(dir.resolve("cp"));
    assertEquals(List.of(db), other.view().services());
    other.close();
    r.close();
  }
}
