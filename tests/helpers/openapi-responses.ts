import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: object }> }>;
}
interface Doc {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation> & { servers?: { url: string }[] }>;
}

/** One documented path as a pattern over real URLs, with its server's base. */
interface Route {
  template: string;
  pattern: RegExp;
  /** Literal segments: a path with more of them wins over one with a parameter in their place. */
  literals: number;
}

/**
 * Checks real replies against an OpenAPI 3.1 document with ajv's JSON Schema 2020-12 validator,
 * which knows nothing of the zod schemas the document was made from: the status must be one the
 * operation declares, and the body must match that status's schema.
 */
export function responseChecker(
  document: object,
): (method: string, url: string, status: number, body: unknown) => string[] {
  const doc = document as Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // The whole document under one id, so every `#/components/...` inside a schema resolves.
  ajv.addSchema(doc as object, 'openapi.json');
  const compiled = new Map<string, ValidateFunction>();

  const routes: Route[] = Object.keys(doc.paths).map((template) => {
    const base = (doc.paths[template]!.servers ?? doc.servers)[0]!.url.replace(/\/$/, '');
    const full = base + template;
    const source = full.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+');
    return {
      template,
      pattern: new RegExp(`^${source}$`),
      literals: full.split('/').filter((s) => !s.startsWith('{')).length,
    };
  });

  return (method, url, status, body) => {
    const path = new URL(url, 'http://x').pathname;
    const route = routes.filter((r) => r.pattern.test(path)).sort((a, b) => b.literals - a.literals)[0];
    if (!route) return [`${method} ${path}: no path of the document matches`];
    const op = doc.paths[route.template]![method.toLowerCase()];
    if (!op) return [`${method} ${route.template}: no such operation in the document`];
    let reply = op.responses[String(status)];
    if (!reply) return [`${method} ${route.template}: status ${status} is not documented`];
    if (reply.$ref) reply = pointer(doc, reply.$ref) as typeof reply;
    const schema = reply.content?.['application/json']?.schema;
    // A documented file (CSV, XLSX, PDF, HTML): its media types are the document's promise, not a schema.
    if (!schema)
      return body === undefined || Object.keys(reply.content ?? {}).length > 0
        ? []
        : [`${method} ${route.template} ${status}: a body where none is documented`];
    const key = `${method} ${route.template} ${status}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(rebase(schema));
      compiled.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${key}: ${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)}`,
    );
  };
}

/** A schema taken out of the document, with its local references pointed back into it. */
function rebase(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"openapi.json#/')) as object;
}

function pointer(doc: object, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>(
      (node, part) => (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')],
      doc,
    );
}
