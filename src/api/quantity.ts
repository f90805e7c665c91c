/**
 * resource.Quantity: parsing (`100m`, `1Gi`, `1e3`, `0.5`), upstream's canonical string form
 * (`1000m` → `1`, `1024Mi` → `1Gi`), comparison and arithmetic, exact (BigInt decimal).
 */

/** How a quantity is printed: the suffix family it was written in. */
export const QuantityFormat = {
  DecimalSI: 'DecimalSI',
  BinarySI: 'BinarySI',
  DecimalExponent: 'DecimalExponent',
} as const;
export type QuantityFormat = (typeof QuantityFormat)[keyof typeof QuantityFormat];

/** upstream's ErrFormatWrong text. */
export const QuantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** upstream's ErrSuffix text. */
export const QuantitySuffixError = "unable to parse quantity's suffix";

/** Thrown by parseQuantity with upstream's message. */
export class QuantityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const suffixChars = 'eEinumkKMGTP';

/** Values are kept to nano precision, like upstream (finer values round away from zero). */
const minScale = -9;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Divides rounding away from zero (upstream rounds quantities "up"). */
function divRoundUp(v: bigint, d: bigint): bigint {
  const q = v / d;
  return q * d === v ? q : v < 0n ? q - 1n : q + 1n;
}

/** An exact decimal quantity: `unscaled × 10^scale`, plus the format it prints in. */
export class Quantity {
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;

  constructor(unscaled: bigint, scale: number, format: QuantityFormat) {
    if (scale < minScale) {
      unscaled = divRoundUp(unscaled, pow10(minScale - scale));
      scale = minScale;
    }
    this.unscaled = unscaled;
    this.scale = scale;
    this.format = format;
  }

  /** Parses upstream's quantity syntax; JSON numbers are accepted as their decimal text. */
  static parse(input: string | number): Quantity {
    return parseQuantity(input);
  }

  /** An integer quantity (e.g. a count of pods) in DecimalSI. */
  static fromInt(n: number | bigint, format: QuantityFormat = QuantityFormat.DecimalSI): Quantity {
    return new Quantity(BigInt(n), 0, format);
  }

  /** A milli-unit quantity (e.g. CPU millicores) in DecimalSI. */
  static fromMilli(n: number | bigint): Quantity {
    return new Quantity(BigInt(n), -3, QuantityFormat.DecimalSI);
  }

  /** -1, 0 or 1. */
  sign(): number {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  /** -1 / 0 / 1 comparing this with other. */
  cmp(other: Quantity): number {
    const s = Math.min(this.scale, other.scale);
    const a = this.unscaled * pow10(this.scale - s);
    const b = other.unscaled * pow10(other.scale - s);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  /** this + other, in this quantity's format (or other's when this is zero). */
  add(other: Quantity): Quantity {
    const s = Math.min(this.scale, other.scale);
    const sum = this.unscaled * pow10(this.scale - s) + other.unscaled * pow10(other.scale - s);
    return new Quantity(sum, s, this.isZero() ? other.format : this.format);
  }

  /** this - other. */
  sub(other: Quantity): Quantity {
    return this.add(other.neg());
  }

  neg(): Quantity {
    return new Quantity(-this.unscaled, this.scale, this.format);
  }

  /** The value scaled to 10^scale units, rounded away from zero (upstream ScaledValue). */
  scaledValue(scale: number): bigint {
    const shift = this.scale - scale;
    return shift >= 0 ? this.unscaled * pow10(shift) : divRoundUp(this.unscaled, pow10(-shift));
  }

  /** The same value rounded up (away from zero) to a multiple of 10^scale, keeping the format. */
  roundUp(scale: number): Quantity {
    if (this.scale >= scale) {
      return this;
    }
    return new Quantity(this.scaledValue(scale), scale, this.format);
  }

  /** Value in milli-units, rounded up (e.g. CPU `1.5` → 1500). */
  milliValue(): number {
    return Number(this.scaledValue(-3));
  }

  /** Value in whole units, rounded up (e.g. memory `1Ki` → 1024). */
  value(): number {
    return Number(this.scaledValue(0));
  }

  /** Approximate float value (for ratios and display only). */
  toNumber(): number {
    return Number(this.unscaled) * 10 ** this.scale;
  }

  /** upstream's canonical form: `1`, `1500m`, `1Gi`, `1536Mi`, `1e3`, `0`. */
  toString(): string {
    if (this.unscaled === 0n) {
      return '0';
    }
    let format = this.format;
    if (format === QuantityFormat.BinarySI) {
      // Below 1Ki the binary form would only confuse: print it as a plain decimal.
      const small = this.cmp(Quantity.fromInt(1024)) < 0 && this.cmp(Quantity.fromInt(-1024)) > 0;
      const integral = this.scale >= 0 || this.unscaled % pow10(-this.scale) === 0n;
      if (small || !integral) {
        format = QuantityFormat.DecimalSI;
      } else {
        let n = this.scaledValue(0);
        let power = 0;
        while (power < 6 && n % 1024n === 0n) {
          n /= 1024n;
          power++;
        }
        return `${n}${binarySuffixByPower[power]}`;
      }
    }
    let mantissa = this.unscaled;
    let exponent = this.scale;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exponent++;
    }
    const rem = exponent % 3;
    if (rem === 1 || rem === -2) {
      mantissa *= 10n;
      exponent -= 1;
    } else if (rem === 2 || rem === -1) {
      mantissa *= 100n;
      exponent -= 2;
    }
    if (format === QuantityFormat.DecimalExponent) {
      return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
    }
    const suffix = decimalSuffixByExponent.get(exponent);
    return suffix !== undefined ? `${mantissa}${suffix}` : `${mantissa}e${exponent}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** Parses a quantity or throws QuantityParseError with upstream's message. */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === 'number' ? numberText(input) : input;
  if (str.length === 0) {
    throw new QuantityParseError(QuantityFormatError);
  }
  let pos = 0;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos++;
  }
  const numStart = pos;
  while (pos < str.length && isDigit(str[pos])) {
    pos++;
  }
  const num = str.slice(numStart, pos);
  let denom = '';
  if (pos < str.length && str[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (pos < str.length && isDigit(str[pos])) {
      pos++;
    }
    denom = str.slice(denomStart, pos);
  }
  if (num === '' && denom === '' && pos === numStart) {
    throw new QuantityParseError(QuantityFormatError);
  }
  const suffixStart = pos;
  while (pos < str.length && suffixChars.includes(str[pos])) {
    pos++;
  }
  if (pos < str.length && (str[pos] === '-' || str[pos] === '+')) {
    pos++;
  }
  while (pos < str.length && isDigit(str[pos])) {
    pos++;
  }
  if (pos !== str.length) {
    throw new QuantityParseError(QuantityFormatError);
  }
  const suffix = str.slice(suffixStart);

  let unscaled = BigInt((num + denom).replace(/^0+/, '') || '0');
  let scale = -denom.length;
  let format: QuantityFormat;
  if (suffix in decimalSuffixes) {
    format = QuantityFormat.DecimalSI;
    scale += decimalSuffixes[suffix];
  } else if (suffix in binarySuffixes) {
    format = QuantityFormat.BinarySI;
    unscaled *= 2n ** BigInt(binarySuffixes[suffix]);
  } else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    format = QuantityFormat.DecimalExponent;
    scale += Number.parseInt(suffix.slice(1), 10);
  } else {
    throw new QuantityParseError(QuantitySuffixError);
  }
  return new Quantity(negative ? -unscaled : unscaled, scale, format);
}

/** Parses or returns undefined. */
export function tryParseQuantity(input: unknown): Quantity | undefined {
  if (typeof input !== 'string' && typeof input !== 'number') {
    return undefined;
  }
  try {
    return parseQuantity(input);
  } catch {
    return undefined;
  }
}

/** The canonical spelling of a quantity, or the input unchanged when it does not parse. */
export function canonicalQuantity(input: unknown): unknown {
  const q = tryParseQuantity(input);
  return q === undefined ? input : q.toString();
}

/** A ResourceList entry as upstream stores it: rounded up to milli-units, canonical spelling. */
export function canonicalResourceQuantity(input: unknown): unknown {
  const q = tryParseQuantity(input);
  return q === undefined ? input : q.roundUp(-3).toString();
}

/** JSON numbers as decimal text without JS's `1e+21` quirks for ordinary values. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) {
    return '';
  }
  return String(n).replace('e+', 'e');
}

/** The parseable entries of a ResourceList (`{cpu: '100m', memory: '1Gi'}`); bad entries are skipped. */
export function parseResourceList(list: unknown): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  if (list !== null && typeof list === 'object' && !Array.isArray(list)) {
    for (const [name, raw] of Object.entries(list as Record<string, unknown>)) {
      const q = tryParseQuantity(raw);
      if (q !== undefined) {
        out.set(name, q);
      }
    }
  }
  return out;
}

/** Per-resource sum of ResourceLists (missing entries count as zero). */
export function addResourceLists(...lists: ReadonlyMap<string, Quantity>[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const list of lists) {
    for (const [name, q] of list) {
      const prev = out.get(name);
      out.set(name, prev === undefined ? q : prev.add(q));
    }
  }
  return out;
}

/** Per-resource maximum of ResourceLists (e.g. init containers against the regular total). */
export function maxResourceLists(...lists: ReadonlyMap<string, Quantity>[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const list of lists) {
    for (const [name, q] of list) {
      const prev = out.get(name);
      if (prev === undefined || q.cmp(prev) > 0) {
        out.set(name, q);
      }
    }
  }
  return out;
}
