package dev.quorumdns.node.raft;

import java.lang.reflect.Field;

/**
 * Private fields of Ratis objects, for the fixes that must reach past its API ({@link
 * UpdaterWakeUp}, {@link TermVoteFile}). Stateless.
 */
final class RatisFields {
  private RatisFields() {}

  /** The field {@code name} of {@code owner}'s class or a superclass, made accessible. */
  static Field find(Object owner, String name) throws NoSuchFieldException {
    for (Class<?> c = owner.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f;
      } catch (NoSuchFieldException e) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException(owner.getClass().getName() + "." + name);
  }

  /** The value of {@code owner}'s field {@code name} ({@link #find}). */
  static Object read(Object owner, String name) throws ReflectiveOperationException {
    return find(owner, name).get(owner);
  }
}
