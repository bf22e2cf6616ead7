/**
 * Parameter specs whose `min`/`max` were written as float literals (`min: 1.0`). JavaScript cannot
 * tell 1.0 from 1, but W&B infers `uniform` for float bounds and `int_uniform` for integer ones, so
 * the YAML loader records the difference here (keyed by the parsed object, so nothing leaks into the
 * config itself) and inference reads it.
 */
const floatBoundSpecs = new WeakSet<object>();

export function markFloatBounds(spec: object): void {
  floatBoundSpecs.add(spec);
}

export function hasFloatBounds(spec: object): boolean {
  return floatBoundSpecs.has(spec);
}
