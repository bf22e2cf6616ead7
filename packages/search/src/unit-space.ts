import type { Distribution, Params, ParamValue, SearchSpace, SpaceParam } from '@hyperfleet/domain';
import { canonicalKey } from './canonical-key';
import { normalCdf, normalQuantile } from './numeric/normal';
import { getPath, setPath } from './param-path';
import { quantize } from './quantize';

/**
 * A search space warped into the unit cube, the coordinates model-based strategies work in. Each
 * non-constant parameter is one coordinate u ∈ [0, 1]: numeric parameters through their distribution
 * (log-scale parameters in log space, normal ones through Φ so the prior's mass is spread evenly),
 * categoricals as u → value ⌊u·k⌋. For the GP, a categorical becomes a one-hot block of k features
 * sharing one length scale (a Hamming-type distance), never an ordinal position.
 */
export interface UnitSpace {
  readonly space: SearchSpace;
  /** Non-constant parameters, one unit coordinate each. */
  readonly coords: readonly UnitCoord[];
  /** GP features: 1 per numeric coordinate, k per categorical. */
  readonly featureCount: number;
  /** For each feature, the coordinate it belongs to (the GP's length-scale group). */
  readonly groups: Int32Array;
  /** Unit coordinates of a point, or undefined when a parameter is missing or off its support. */
  encode(params: Params): Float64Array | undefined;
  /** The point at unit coordinates u, integers and q_ values rounded, categoricals picked. */
  decode(u: Float64Array): Params;
  /** GP features of unit coordinates, written at out[offset …]. */
  features(u: Float64Array, out: Float64Array, offset: number): void;
}

export type UnitCoord =
  | {
      kind: 'numeric';
      param: SpaceParam;
      discrete: boolean;
      toUnit(value: number): number;
      fromUnit(u: number): number;
    }
  | { kind: 'categorical'; param: SpaceParam; values: readonly ParamValue[]; keys: ReadonlyMap<string, number> };

const EPS = 1e-9;

function clamp01(u: number): number {
  return Math.min(1, Math.max(0, u));
}

/** t-space interval [lo, hi] mapped linearly onto [0, 1]. */
function linear(
  param: SpaceParam,
  lo: number,
  hi: number,
  toT: (x: number) => number,
  fromT: (t: number) => number,
  discrete: boolean,
): UnitCoord {
  const span = hi - lo;
  return {
    kind: 'numeric',
    param,
    discrete,
    toUnit: (x) => (span > 0 ? clamp01((toT(x) - lo) / span) : 0.5),
    fromUnit: (u) => fromT(lo + clamp01(u) * span),
  };
}

const safeLog = (x: number) => Math.log(Math.max(x, Number.MIN_VALUE));

/** Φ-warped: u = Φ(z); kept away from 0 and 1 so decoding never yields ±∞. */
function gaussian(
  param: SpaceParam,
  toZ: (x: number) => number,
  fromZ: (z: number) => number,
  discrete: boolean,
): UnitCoord {
  return {
    kind: 'numeric',
    param,
    discrete,
    toUnit: (x) => clamp01(normalCdf(toZ(x))),
    fromUnit: (u) => fromZ(normalQuantile(Math.min(1 - 1e-6, Math.max(1e-6, u)))),
  };
}

function coordFor(param: SpaceParam): UnitCoord | undefined {
  const d: Distribution = param.dist;
  const q = 'q' in d ? d.q : 0;
  const maybeQ = (x: number) => (q > 0 ? quantize(x, q) : x);
  switch (d.distribution) {
    case 'constant':
      return undefined;
    case 'categorical': {
      const values: ParamValue[] = [];
      const keys = new Map<string, number>();
      d.values.forEach((value, i) => {
        if (d.probabilities && !((d.probabilities[i] ?? 0) > 0)) return;
        const key = canonicalKey(value);
        if (keys.has(key)) return;
        keys.set(key, values.length);
        values.push(value);
      });
      return values.length > 1 ? { kind: 'categorical', param, values, keys } : undefined;
    }
    case 'int_uniform':
      if (d.max === d.min) return undefined;
      return linear(
        param,
        d.min - 0.5 + EPS,
        d.max + 0.5 - EPS,
        (x) => x,
        (t) => Math.min(d.max, Math.max(d.min, Math.round(t))),
        true,
      );
    case 'uniform':
      return linear(
        param,
        d.min,
        d.max,
        (x) => x,
        (t) => t,
        false,
      );
    case 'q_uniform':
      return linear(
        param,
        d.min,
        d.max,
        (x) => x,
        (t) => quantize(t, d.q),
        true,
      );
    case 'log_uniform':
    case 'q_log_uniform':
      return linear(param, d.min, d.max, safeLog, (t) => maybeQ(Math.exp(t)), q > 0);
    case 'log_uniform_values':
    case 'q_log_uniform_values':
      return linear(param, Math.log(d.min), Math.log(d.max), safeLog, (t) => maybeQ(Math.exp(t)), q > 0);
    case 'inv_log_uniform':
      return linear(
        param,
        d.min,
        d.max,
        (x) => -safeLog(x),
        (t) => Math.exp(-t),
        false,
      );
    case 'inv_log_uniform_values':
      return linear(
        param,
        -Math.log(d.max),
        -Math.log(d.min),
        (x) => -safeLog(x),
        (t) => Math.exp(-t),
        false,
      );
    case 'normal':
    case 'q_normal':
      return gaussian(
        param,
        (x) => (x - d.mu) / d.sigma,
        (z) => maybeQ(d.mu + d.sigma * z),
        q > 0,
      );
    case 'log_normal':
    case 'q_log_normal':
      return gaussian(
        param,
        (x) => (safeLog(x) - d.mu) / d.sigma,
        (z) => maybeQ(Math.exp(d.mu + d.sigma * z)),
        q > 0,
      );
    case 'beta':
    case 'q_beta':
      return linear(
        param,
        0,
        1,
        (x) => x,
        (t) => maybeQ(t),
        q > 0,
      );
    default: {
      const unknown: never = d;
      throw new Error(`internal: no unit warping for ${JSON.stringify(unknown)}`);
    }
  }
}

export function createUnitSpace(space: SearchSpace): UnitSpace {
  const coords: UnitCoord[] = [];
  const constants: SpaceParam[] = [];
  for (const param of space.params) {
    const coord = coordFor(param);
    if (coord) coords.push(coord);
    else constants.push(param);
  }
  const groupList: number[] = [];
  coords.forEach((coord, c) => {
    const width = coord.kind === 'categorical' ? coord.values.length : 1;
    for (let i = 0; i < width; i++) groupList.push(c);
  });
  const constantValue = (param: SpaceParam): ParamValue => {
    const d = param.dist;
    if (d.distribution === 'constant') return structuredClone(d.value);
    if (d.distribution === 'int_uniform') return d.min;
    if (d.distribution === 'categorical') {
      const i = d.probabilities ? d.probabilities.findIndex((p) => p > 0) : 0;
      return structuredClone(d.values[Math.max(0, i)] as ParamValue);
    }
    throw new Error(`internal: ${param.name} is not constant`);
  };

  return {
    space,
    coords,
    featureCount: groupList.length,
    groups: Int32Array.from(groupList),
    encode(params) {
      const u = new Float64Array(coords.length);
      for (let c = 0; c < coords.length; c++) {
        const coord = coords[c]!;
        const value = getPath(params, coord.param.path);
        if (value === undefined) return undefined;
        if (coord.kind === 'categorical') {
          const index = coord.keys.get(canonicalKey(value));
          if (index === undefined) return undefined;
          u[c] = (index + 0.5) / coord.values.length;
        } else {
          if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
          u[c] = coord.toUnit(value);
        }
      }
      return u;
    },
    decode(u) {
      const params: Params = {};
      let c = 0;
      for (const param of space.params) {
        const coord = coords[c];
        if (coord && coord.param === param) {
          const x = u[c++]!;
          if (coord.kind === 'categorical') {
            const k = coord.values.length;
            setPath(params, param.path, structuredClone(coord.values[Math.min(k - 1, Math.floor(clamp01(x) * k))]!));
          } else {
            setPath(params, param.path, coord.fromUnit(x));
          }
        } else {
          setPath(params, param.path, constantValue(param));
        }
      }
      return params;
    },
    features(u, out, offset) {
      let f = offset;
      for (let c = 0; c < coords.length; c++) {
        const coord = coords[c]!;
        if (coord.kind === 'categorical') {
          const k = coord.values.length;
          const index = Math.min(k - 1, Math.floor(clamp01(u[c]!) * k));
          for (let i = 0; i < k; i++) out[f++] = i === index ? 1 : 0;
        } else {
          out[f++] = u[c]!;
        }
      }
    },
  };
}
