// The OpenAPI 3.1 document, built from the same zod schemas the controllers parse with. Routes are
// declared with `@ApiRoute` next to Nest's `@Get`/`@Post` (the explorer collects them at start-up)
// or added to the registry directly; the registry renders the JSON document and a plain HTML page.
import { SetMetadata } from '@nestjs/common';
import { z } from 'zod';
import { API_ERROR_STATUS, type ApiErrorCode } from './api-error';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

export interface ApiRouteSpec {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** An object schema of the path parameters; parameters it leaves out are documented as strings. */
  readonly params?: z.ZodType;
  /** An object schema of the query string. */
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** The success body; JSON unless `responseContentType` says otherwise. */
  readonly response?: z.ZodType;
  /** A non-JSON success body (`text/plain`, `text/html`), documented as a string. */
  readonly responseContentType?: string;
  /** The success status, when the route's own (`@HttpCode`, or Nest's 200/201) is not it. */
  readonly status?: number;
  /** Other answers the route gives on purpose, besides the error body every route may return. */
  readonly otherResponses?: Readonly<Record<number, { readonly description: string; readonly schema?: z.ZodType }>>;
  /** Error codes the route can answer with; 400 is implied by params/query/body, 401 by `auth`. */
  readonly errors?: readonly ApiErrorCode[];
  /** Needs `Authorization: Bearer <accessToken>`. */
  readonly auth?: boolean;
}

export interface DocumentedRoute extends ApiRouteSpec {
  readonly method: HttpMethod;
  /** In the router's form: `/api/rooms/:id`. */
  readonly path: string;
}

export const API_ROUTE_METADATA = 'chat:api-route';

/** Documents a Nest route handler; its method and path come from Nest's own decorators. */
export const ApiRoute = (spec: ApiRouteSpec): MethodDecorator => SetMetadata(API_ROUTE_METADATA, spec);

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(API_ERROR_STATUS) as [ApiErrorCode, ...ApiErrorCode[]]),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'ErrorBody', description: 'The body of every error answer' });

type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: OpenApiInfo;
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: { readonly schemas: Record<string, JsonSchema>; readonly securitySchemes: Record<string, unknown> };
}

const PATH_PARAMETER = /:([A-Za-z0-9_]+)/g;

function toOpenApiPath(path: string): string {
  return path.replace(PATH_PARAMETER, '{$1}');
}

function rewriteRefs(value: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, key === '$ref' && typeof field === 'string' ? rename(field) : rewriteRefs(field, rename)]),
  );
}

/**
 * Converts zod schemas to JSON Schema 2020-12 (what OpenAPI 3.1 uses) and moves the definitions zod
 * extracts (schemas with `.meta({ id })`) into `components.schemas`, so that every `$ref` resolves
 * from the document's root. The input form of a schema, where it differs from the output form
 * (defaults, transforms, open objects), is named `<id>Input`; any other clash gets a number.
 */
class SchemaCollector {
  readonly schemas: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const { $schema: _dialect, $defs, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema & {
      $defs?: Record<string, JsonSchema>;
    };
    const toComponents = (ref: string): string => ref.replace(/^#\/\$defs\//, '#/components/schemas/');
    const names = new Map<string, string>();
    const inserted: string[] = [];
    for (const [name, definition] of Object.entries($defs ?? {})) {
      const placed = this.place(name, io, rewriteRefs(definition, toComponents) as JsonSchema);
      names.set(name, placed.name);
      if (placed.inserted) inserted.push(placed.name);
    }
    const rename = (ref: string): string => {
      const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
      return name !== undefined && names.has(name) ? `#/components/schemas/${names.get(name)}` : ref;
    };
    for (const name of inserted) this.schemas[name] = rewriteRefs(this.schemas[name], rename) as JsonSchema;
    return rewriteRefs(rewriteRefs(json, toComponents), rename) as JsonSchema;
  }

  private place(name: string, io: 'input' | 'output', definition: JsonSchema): { name: string; inserted: boolean } {
    const serialized = JSON.stringify(definition);
    const preferred = io === 'input' ? [name, `${name}Input`] : [name];
    for (let attempt = 0; ; attempt += 1) {
      const candidate = preferred[attempt] ?? `${name}${attempt + 1}`;
      const existing = this.schemas[candidate];
      if (existing === undefined) {
        this.schemas[candidate] = definition;
        return { name: candidate, inserted: true };
      }
      if (JSON.stringify(existing) === serialized) return { name: candidate, inserted: false };
    }
  }
}

function objectProperties(json: JsonSchema, what: string, route: DocumentedRoute): { properties: Record<string, JsonSchema>; required: Set<string> } {
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  if (!properties) throw new Error(`OpenAPI: the ${what} schema of ${route.method} ${route.path} must be an object schema`);
  return { properties, required: new Set((json.required as string[] | undefined) ?? []) };
}

function parametersOf(route: DocumentedRoute, collector: SchemaCollector): JsonSchema[] {
  const parameters: JsonSchema[] = [];
  const pathNames = [...route.path.matchAll(PATH_PARAMETER)].map((match) => match[1] as string);
  const declared = route.params ? objectProperties(collector.convert(route.params, 'input'), 'params', route).properties : {};
  for (const name of pathNames) {
    const schema = declared[name] ?? { type: 'string' };
    const description = typeof schema.description === 'string' ? { description: schema.description } : {};
    parameters.push({ name, in: 'path', required: true, ...description, schema });
  }
  if (route.query) {
    const { properties, required } = objectProperties(collector.convert(route.query, 'input'), 'query', route);
    for (const [name, schema] of Object.entries(properties)) {
      const description = typeof schema.description === 'string' ? { description: schema.description } : {};
      parameters.push({ name, in: 'query', required: required.has(name), ...description, schema });
    }
  }
  return parameters;
}

const ERROR_DESCRIPTIONS: Record<ApiErrorCode, string> = {
  VALIDATION_FAILED: 'Invalid input',
  UNAUTHENTICATED: 'Not authenticated, or a bad or expired token',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Unknown, or not visible to the caller',
  CONFLICT: 'Conflict (name taken, concurrent change)',
  PAYLOAD_TOO_LARGE: 'Too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RATE_LIMITED: 'Rate limited; retry after `Retry-After` seconds',
  INTERNAL: 'Unexpected server error',
};

function operationOf(route: DocumentedRoute, collector: SchemaCollector): Record<string, unknown> {
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };
  const successStatus = route.status ?? (route.method === 'POST' ? 201 : 200);
  const responses: Record<string, unknown> = {};
  if (route.response) {
    responses[successStatus] = { description: 'Success', content: { 'application/json': { schema: collector.convert(route.response, 'output') } } };
  } else if (route.responseContentType) {
    responses[successStatus] = { description: 'Success', content: { [route.responseContentType]: { schema: { type: 'string' } } } };
  } else {
    responses[successStatus] = { description: successStatus === 204 ? 'Done, no body' : 'Success' };
  }
  for (const [status, other] of Object.entries(route.otherResponses ?? {})) {
    responses[status] = {
      description: other.description,
      ...(other.schema ? { content: { 'application/json': { schema: collector.convert(other.schema, 'output') } } } : {}),
    };
  }
  const errorCodes = new Set<ApiErrorCode>(route.errors ?? []);
  if (route.params || route.query || route.body) errorCodes.add('VALIDATION_FAILED');
  if (route.auth) errorCodes.add('UNAUTHENTICATED');
  for (const code of errorCodes) {
    responses[API_ERROR_STATUS[code]] = { description: ERROR_DESCRIPTIONS[code], content: errorContent };
  }
  responses.default = { description: 'An error, with the error body', content: errorContent };

  const parameters = parametersOf(route, collector);
  return {
    ...(route.summary ? { summary: route.summary } : {}),
    ...(route.description ? { description: route.description } : {}),
    ...(route.tags?.length ? { tags: [...route.tags] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: collector.convert(route.body, 'input') } } } }
      : {}),
    responses,
    ...(route.auth ? { security: [{ bearer: [] }] } : {}),
  };
}

export class OpenApiRegistry {
  private readonly routesByKey = new Map<string, DocumentedRoute>();

  /** Declares a route; declaring the same method and path again replaces it. */
  add(route: DocumentedRoute): void {
    this.routesByKey.set(`${route.method} ${route.path}`, route);
  }

  routes(): DocumentedRoute[] {
    return [...this.routesByKey.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  }

  document(info: OpenApiInfo): OpenApiDocument {
    const collector = new SchemaCollector();
    collector.convert(errorBodySchema, 'output');
    const routes = this.routes();
    // Output forms first, so that a schema's plain name always means what the API answers with.
    for (const route of routes) {
      for (const schema of [route.response, ...Object.values(route.otherResponses ?? {}).map((other) => other.schema)]) {
        if (schema) collector.convert(schema, 'output');
      }
    }
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of routes) {
      const path = toOpenApiPath(route.path);
      paths[path] = { ...paths[path], [route.method.toLowerCase()]: operationOf(route, collector) };
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        schemas: collector.schemas,
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function schemaBlock(schema: unknown): string {
  return `<pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`;
}

function contentBlocks(content: unknown): string {
  if (!content || typeof content !== 'object') return '';
  return Object.entries(content as Record<string, { schema?: unknown }>)
    .map(([type, media]) => `<p class="type">${escapeHtml(type)}</p>${media.schema ? schemaBlock(media.schema) : ''}`)
    .join('');
}

function operationHtml(method: string, path: string, operation: Record<string, unknown>): string {
  const parts = [`<section><h2><span class="method ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code></h2>`];
  if (typeof operation.summary === 'string') parts.push(`<p>${escapeHtml(operation.summary)}</p>`);
  if (typeof operation.description === 'string') parts.push(`<p>${escapeHtml(operation.description)}</p>`);
  if (operation.security) parts.push('<p class="auth">Needs <code>Authorization: Bearer &lt;accessToken&gt;</code></p>');
  const parameters = (operation.parameters as JsonSchema[] | undefined) ?? [];
  if (parameters.length) {
    const rows = parameters
      .map(
        (parameter) =>
          `<tr><td><code>${escapeHtml(String(parameter.name))}</code></td><td>${escapeHtml(String(parameter.in))}</td>` +
          `<td>${parameter.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(parameter.schema))}</code></td></tr>`,
      )
      .join('');
    parts.push(`<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${rows}</table>`);
  }
  const requestBody = operation.requestBody as { content?: unknown } | undefined;
  if (requestBody) parts.push(`<h3>Request body</h3>${contentBlocks(requestBody.content)}`);
  const responses = Object.entries((operation.responses as Record<string, { description: string; content?: unknown }>) ?? {})
    .map(([status, response]) => `<dt>${escapeHtml(status)}</dt><dd>${escapeHtml(response.description)}${contentBlocks(response.content)}</dd>`)
    .join('');
  parts.push(`<h3>Responses</h3><dl>${responses}</dl></section>`);
  return parts.join('');
}

/** A self-contained, readable page of the document: no scripts, no assets from elsewhere. */
export function renderDocsHtml(document: OpenApiDocument, jsonPath = '/api/docs-json'): string {
  const operations = Object.entries(document.paths)
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => operationHtml(method, path, operation as Record<string, unknown>)))
    .join('\n');
  const schemas = Object.entries(document.components.schemas)
    .map(([name, schema]) => `<section id="schema-${escapeHtml(name)}"><h2>${escapeHtml(name)}</h2>${schemaBlock(schema)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
section { border-top: 1px solid #ddd; padding: .5rem 0; }
h2 { font-size: 1.1rem; } h3 { font-size: .95rem; margin-bottom: .25rem; }
.method { display: inline-block; min-width: 4.5rem; font-weight: bold; }
.get { color: #0a6; } .post { color: #06c; } .put, .patch { color: #a60; } .delete { color: #c03; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; font-size: 13px; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: .2rem .5rem; text-align: left; }
dt { font-weight: bold; } .type { color: #666; margin: 0; }
</style>
</head>
<body>
<h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
${document.info.description ? `<p>${escapeHtml(document.info.description)}</p>` : ''}
<p>OpenAPI ${escapeHtml(document.openapi)} document as JSON: <a href="${escapeHtml(jsonPath)}">${escapeHtml(jsonPath)}</a></p>
${operations}
<h1>Schemas</h1>
${schemas}
</body>
</html>
`;
}
