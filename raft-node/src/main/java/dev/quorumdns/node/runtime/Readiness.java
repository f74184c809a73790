package dev.quorumdns.node.runtime;

/** Whether a node should receive traffic, and why (or why not). Immutable. */
public record Readiness(boolean ready, String reason) {}
