/**
 * JSON Schemas for tools/list, kept small: the list goes into every model
 * request an agent makes (~12 KB is the budget for all tools, bench/context.js).
 * - Input schemas keep what the model writes calls from (types, enums,
 *   defaults, required fields, descriptions) and drop the server's own safety
 *   bounds (maxLength, maxItems, propertyNames): the server still enforces them,
 *   and says which field was wrong; nor the 2^53-1 maximum every integer gets.
 * - Output schemas name each top-level field and its JSON type; what a field
 *   holds is the tool description's business. structuredContent still
 *   validates against them.
 */
import { z } from 'zod';

const SERVER_BOUNDS = new Set(['maxLength', 'maxItems', 'propertyNames', '$schema']);

function dropBounds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropBounds);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // z.number().int() says "at most 2^53-1", which tells a model nothing.
    if (SERVER_BOUNDS.has(k) || (k === 'maximum' && v === Number.MAX_SAFE_INTEGER)) continue;
    out[k] = dropBounds(v);
  }
  return out;
}

export function inputJsonSchema(shape: z.ZodRawShape): Record<string, unknown> {
  return dropBounds(z.toJSONSchema(z.object(shape), { io: 'input', unrepresentable: 'any' })) as Record<string, unknown>;
}

/** The JSON type of a field, without its insides: ["string", "null"], "object", … */
function typeOnly(prop: Record<string, unknown>): Record<string, unknown> {
  if (prop.type !== undefined) return { type: prop.type };
  const variants = (prop.anyOf ?? prop.oneOf) as Array<Record<string, unknown>> | undefined;
  const types = variants?.flatMap((v) => (Array.isArray(v.type) ? v.type : v.type !== undefined ? [v.type] : []));
  return types?.length ? { type: [...new Set(types)] } : {};
}

export function outputJsonSchema(shape: z.ZodRawShape): Record<string, unknown> {
  const full = z.toJSONSchema(z.object(shape), { io: 'output', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  const properties = Object.fromEntries(Object.entries(full.properties ?? {}).map(([k, v]) => [k, typeOnly(v)]));
  return { type: 'object', properties, ...(full.required?.length ? { required: full.required } : {}) };
}
