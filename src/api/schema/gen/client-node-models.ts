/**
 * Reads @kubernetes/client-node's generated model files (attributeTypeMap in the .js, doc
 * comments and optional marks in the .d.ts). Used only by scripts/gen-schemas.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One attribute of a client-node model. */
export interface ModelAttribute {
  /** JSON field name. */
  name: string;
  /** client-node type expression: `string`, `number`, `Date`, `Array<V1Container>`, `{ [key: string]: string; }`, `any`, a model name. */
  type: string;
  format: string;
  description?: string;
  required: boolean;
}

/** One client-node model class (V1Container, CoreV1Event, ...). */
export interface Model {
  className: string;
  description?: string;
  attributes: ModelAttribute[];
}

function unescapeDoc(text: string): string {
  return text.replace(/\\(['"\\])/g, '$1');
}

function docText(block: string): string {
  return unescapeDoc(
    block
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, ''))
      .join('\n')
      .trim(),
  );
}

function parseDts(dts: string, className: string): { classDoc?: string; fields: Map<string, { doc?: string; required: boolean }> } {
  const fields = new Map<string, { doc?: string; required: boolean }>();
  const classAt = dts.indexOf(`export declare class ${className}`);
  let classDoc: string | undefined;
  const before = dts.slice(0, classAt);
  const lastDoc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*$/.exec(before);
  if (lastDoc?.[1] !== undefined) {
    classDoc = docText(lastDoc[1]);
  }
  const body = dts.slice(classAt);
  const fieldRe = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?\n\s*'([^']+)'(\?)?:/g;
  for (let m = fieldRe.exec(body); m !== null; m = fieldRe.exec(body)) {
    const name = m[2];
    if (name === undefined) {
      continue;
    }
    fields.set(name, { doc: m[1] === undefined ? undefined : docText(m[1]), required: m[3] === undefined });
  }
  return { classDoc, fields };
}

/** Every model in client-node's models folder, sorted by class name. */
export function readModels(modelsDir: string): Model[] {
  const models: Model[] = [];
  for (const file of readdirSync(modelsDir).sort()) {
    if (!file.endsWith('.js') || file === 'ObjectSerializer.js' || file === 'all.js') {
      continue;
    }
    const className = file.slice(0, -3);
    const js = readFileSync(join(modelsDir, file), 'utf8');
    const m = new RegExp(`${className}\\.attributeTypeMap = (\\[[\\s\\S]*?\\n\\]);`).exec(js);
    if (m?.[1] === undefined) {
      continue;
    }
    const raw = JSON.parse(m[1]) as { baseName: string; type: string; format: string }[];
    const { classDoc, fields } = parseDts(readFileSync(join(modelsDir, `${className}.d.ts`), 'utf8'), className);
    const byProp = new Map<string, { doc?: string; required: boolean }>();
    const jsRaw = JSON.parse(m[1]) as { name: string; baseName: string }[];
    for (const a of jsRaw) {
      const f = fields.get(a.name);
      if (f !== undefined) {
        byProp.set(a.baseName, f);
      }
    }
    models.push({
      className,
      description: classDoc,
      attributes: raw.map((a) => {
        const f = byProp.get(a.baseName);
        return { name: a.baseName, type: a.type, format: a.format, description: f?.doc, required: f?.required ?? false };
      }),
    });
  }
  return models;
}
