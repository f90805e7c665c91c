/**
 * String-format checks from apimachinery's util/validation: each returns upstream's
 * messages (empty when valid), to be wrapped in field errors by the caller.
 */

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const labelKeyFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${labelKeyFmt})?`;
const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const cIdentifierFmt = '[A-Za-z_][A-Za-z0-9_]*';

const anchored = (fmt: string): RegExp => new RegExp(`^(?:${fmt})$`);
const dns1123LabelRe = anchored(dns1123LabelFmt);
const dns1123SubdomainRe = anchored(dns1123SubdomainFmt);
const dns1035LabelRe = anchored(dns1035LabelFmt);
const labelKeyRe = anchored(labelKeyFmt);
const labelValueRe = anchored(labelValueFmt);
const configMapKeyRe = anchored(configMapKeyFmt);
const cIdentifierRe = anchored(cIdentifierFmt);

/** Longest RFC 1123 label. */
export const DNS1123LabelMaxLength = 63;
/** Longest RFC 1123 subdomain. */
export const DNS1123SubdomainMaxLength = 253;

/** `must be no more than N characters`. */
export function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** upstream's RegexError, including its double space between examples. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) {
    return `${msg} (regex used for validation is '${fmt}')`;
  }
  let s = `${msg} (e.g. `;
  examples.forEach((e, i) => {
    if (i > 0) {
      s += ' or ';
    }
    s += `'${e}', `;
  });
  return `${s}regex used for validation is '${fmt}')`;
}

/** `must be non-empty`. */
export function emptyError(): string {
  return 'must be non-empty';
}

/** `must be between lo and hi, inclusive`. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** Go's len(): byte length of the UTF-8 encoding. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** RFC 1123 label (namespace names, container names, ...). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123LabelMaxLength) {
    errs.push(maxLenError(DNS1123LabelMaxLength));
  }
  if (!dns1123LabelRe.test(value)) {
    if (dns1123SubdomainRe.test(value)) {
      errs.push('must not contain dots');
    } else {
      errs.push(regexError('a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character', dns1123LabelFmt, 'my-name', '123-abc'));
    }
  }
  return errs;
}

/** RFC 1123 subdomain (most object names). */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123SubdomainMaxLength) {
    errs.push(maxLenError(DNS1123SubdomainMaxLength));
  }
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(regexError('a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character', dns1123SubdomainFmt, 'example.com'));
  }
  return errs;
}

/** RFC 1035 label (service names). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) {
    errs.push(maxLenError(63));
  }
  if (!dns1035LabelRe.test(value)) {
    errs.push(regexError('a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character', dns1035LabelFmt, 'my-name', 'abc-123'));
  }
  return errs;
}

const labelKeyErrMsg = 'must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character';

/** Qualified name / label key: optional DNS-subdomain prefix and `/`, then a 63-char name. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) {
      errs.push(`prefix part ${emptyError()}`);
    } else {
      errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
    }
  } else {
    return [`a valid label key ${regexError(labelKeyErrMsg, labelKeyFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) {
    errs.push(`name part ${emptyError()}`);
  } else if (byteLength(name) > 63) {
    errs.push(`name part ${maxLenError(63)}`);
  }
  if (!labelKeyRe.test(name)) {
    errs.push(`name part ${regexError(labelKeyErrMsg, labelKeyFmt, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/** Label value: empty or a 63-char qualified-name-like token. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) {
    errs.push(maxLenError(63));
  }
  if (!labelValueRe.test(value)) {
    errs.push(regexError('a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character', labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

/** C identifier (used for some env-like names). */
export function isCIdentifier(value: string): string[] {
  return cIdentifierRe.test(value) ? [] : [regexError('a valid C identifier must start with alphabetic character or \'_\', followed by a string of alphanumeric characters or \'_\'', cIdentifierFmt, 'my_name', 'MY_NAME', 'MyName')];
}

/** Port number 1..65535. */
export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** IANA_SVC_NAME: port names. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > 15) {
    errs.push(maxLenError(15));
  }
  if (!/^[-a-z0-9]+$/.test(port)) {
    errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(port)) {
    errs.push('must contain at least one letter (a-z)');
  }
  if (port.includes('--')) {
    errs.push('must not contain consecutive hyphens');
  }
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) {
    errs.push('must not begin or end with a hyphen');
  }
  return errs;
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') {
    return ['must not be \'.\''];
  }
  if (value === '..') {
    return ['must not be \'..\''];
  }
  if (value.startsWith('..')) {
    return ['must not start with \'..\''];
  }
  return [];
}

/** Environment variable names (RelaxedEnvironmentVariableValidation, on by default since 1.34). */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) {
    errs.push(`environment variable name ${emptyError()}`);
  }
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c > 0x7e || c < 0x20 || ch === '=') {
      errs.push('a valid environment variable name must consist only of printable ASCII characters other than \'=\'');
      break;
    }
  }
  return errs;
}

/** ConfigMap and Secret data keys. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123SubdomainMaxLength) {
    errs.push(maxLenError(DNS1123SubdomainMaxLength));
  }
  if (!configMapKeyRe.test(value)) {
    errs.push(regexError('a valid config key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'', configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/** A name function as used by ObjectMeta validation: messages for a name or generateName prefix. */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** generateName prefixes may end in '-': mask it so the prefix is checked like a full name. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** Object names that must be DNS-1123 subdomains (most kinds). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
/** Object names that must be DNS-1123 labels (namespaces, ...). */
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
/** Object names that must be DNS-1035 labels (services). */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Names that only need to be valid path segments (RBAC roles, ...). */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  const errs = prefix ? [] : name === '.' || name === '..' ? [`may not be '${name}'`] : [];
  for (const illegal of ['/', '%']) {
    if (name.includes(illegal)) {
      errs.push(`may not contain '${illegal}'`);
    }
  }
  return errs;
};

