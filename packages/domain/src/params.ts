import type { Params, ParamValue, SearchSpace } from './domain';
import { HyperfleetError } from './errors';

function isPlainObject(value: unknown): value is { [key: string]: ParamValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Nested params → one entry per parameter under its dotted name, in order.
 * With `space`, exactly the space's parameters are taken, along their paths (so a constant whose
 * value is an object stays one entry, and flat names containing dots are found). Without it, every
 * nested object is flattened; arrays and empty objects are values.
 */
export function flattenParams(params: Params, space?: SearchSpace): Record<string, ParamValue> {
  const flat: Record<string, ParamValue> = {};
  if (space !== undefined) {
    for (const param of space.params) {
      const value = getPath(params, param.path);
      if (value !== undefined) flat[param.name] = value;
    }
    return flat;
  }
  const walk = (node: { [key: string]: ParamValue }, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      const name = prefix === '' ? key : `${prefix}.${key}`;
      if (isPlainObject(value) && Object.keys(value).length > 0) walk(value, name);
      else flat[name] = value;
    }
  };
  walk(params, '');
  return flat;
}

/**
 * Dotted names → nested params (the inverse of flattenParams). With `space`, names are resolved to
 * their paths (so `model.depth` stays a flat key when the config declared it flat); names not in
 * the space, and every name without a space, are split on dots. Throws PARAMS_CONFLICT when a name
 * is both a value and a prefix (`a=1` and `a.b=2`).
 */
export function unflattenParams(flat: Record<string, ParamValue>, space?: SearchSpace): Params {
  const paths = new Map(space?.params.map((param) => [param.name, param.path]));
  const out: Params = {};
  for (const [name, value] of Object.entries(flat)) {
    const path = paths.get(name) ?? name.split('.');
    let node: { [key: string]: ParamValue } = out;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        if (Object.hasOwn(node, segment)) conflict(name);
        setOwn(node, segment, value);
        return;
      }
      const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
      if (next === undefined) {
        const created: { [key: string]: ParamValue } = {};
        setOwn(node, segment, created);
        node = created;
      } else if (isPlainObject(next)) node = next;
      else conflict(name);
    });
  }
  return out;
}

function getPath(params: Params, path: readonly string[]): ParamValue | undefined {
  let node: ParamValue | undefined = params;
  for (const segment of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

// defineProperty: a parameter named `__proto__` must be data, never the prototype.
function setOwn(node: { [key: string]: ParamValue }, key: string, value: ParamValue): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

function conflict(name: string): never {
  throw new HyperfleetError('PARAMS_CONFLICT', `parameter "${name}" collides with another parameter's nesting`, {
    hint: 'a name cannot be both a value and a prefix of other names (`a` and `a.b`); pass the search space so flat dotted names resolve',
  });
}
