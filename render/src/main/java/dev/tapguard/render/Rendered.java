package dev.tapguard.render;

/**
 * A render and what it leaves for the next one: {@code result} is exactly what a full render of the same input gives;
 * {@code memo} lets the next render reuse the pieces whose inputs did not change.
 */
public record Rendered(RenderResult result, RenderMemo memo) {
}
