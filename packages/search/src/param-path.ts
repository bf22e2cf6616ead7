import type { Params, ParamValue } from '@hyperfleet/domain';

type ParamObject = { [key: string]: ParamValue };

function isObject(value: ParamValue | undefined): value is ParamObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` in nested params, or undefined when any segment is missing (null is a real value). */
export function getPath(params: Params, path: readonly string[]): ParamValue | undefined {
  let current: ParamValue | undefined = params;
  for (const key of path) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

// defineProperty instead of assignment so a key like "__proto__" is stored as data, not as a prototype.
function put(target: ParamObject, key: string, value: ParamValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Sets `value` at `path`, creating intermediate objects (and replacing non-object values in the way). */
export function setPath(params: Params, path: readonly string[], value: ParamValue): void {
  const last = path.at(-1);
  if (last === undefined) throw new TypeError('setPath needs a non-empty path');
  let current: ParamObject = params;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(current, key) ? current[key] : undefined;
    if (isObject(next)) {
      current = next;
    } else {
      const created: ParamObject = {};
      put(current, key, created);
      current = created;
    }
  }
  put(current, last, value);
}
