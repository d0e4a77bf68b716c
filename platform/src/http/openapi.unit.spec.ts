import { z } from 'zod';
import { OpenApiRegistry, renderDocsHtml } from './openapi';

type Operation = {
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
  security?: unknown;
};

const info = { title: 'Chat API', version: '0.1.0' };

describe('OpenApiRegistry', () => {
  it('renders an OpenAPI 3.1 document with router paths turned into templated ones', () => {
    const registry = new OpenApiRegistry();
    registry.add({ method: 'GET', path: '/api/rooms/:id/messages/:messageId' });
    const document = registry.document(info);
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toEqual(info);
    const operation = document.paths['/api/rooms/{id}/messages/{messageId}']?.get as Operation;
    expect(operation.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'messageId', in: 'path', required: true, schema: { type: 'string' } },
    ]);
  });

  it('documents params, query, body and response from zod schemas, and the errors they imply', () => {
    const registry = new OpenApiRegistry();
    registry.add({
      method: 'GET',
      path: '/api/rooms/:id/messages',
      summary: 'Messages in seq order',
      auth: true,
      errors: ['NOT_FOUND'],
      params: z.object({ id: z.uuid() }),
      query: z.object({ before: z.coerce.number().int().optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }),
      response: z.object({ messages: z.array(z.object({ seq: z.number().int() })) }),
    });
    registry.add({ method: 'POST', path: '/api/rooms', body: z.object({ name: z.string().min(1) }), response: z.object({ id: z.string() }) });
    const document = registry.document(info);

    const list = document.paths['/api/rooms/{id}/messages']?.get as Operation;
    expect(list.parameters?.map(({ name, in: where, required }) => ({ name, in: where, required }))).toEqual([
      { name: 'id', in: 'path', required: true },
      { name: 'before', in: 'query', required: false },
      { name: 'limit', in: 'query', required: false },
    ]);
    expect(list.parameters?.[0]?.schema).toMatchObject({ type: 'string', format: 'uuid' });
    expect(list.responses['200']?.content?.['application/json']?.schema).toMatchObject({ type: 'object', required: ['messages'] });
    expect(Object.keys(list.responses).sort()).toEqual(['200', '400', '401', '404', 'default']);
    expect(list.responses['404']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/ErrorBody' });
    expect(list.security).toEqual([{ bearer: [] }]);

    const create = document.paths['/api/rooms']?.post as Operation;
    expect(create.requestBody?.content['application/json']?.schema).toMatchObject({ properties: { name: { type: 'string', minLength: 1 } } });
    expect(Object.keys(create.responses)).toContain('201');
    expect(document.components.schemas.ErrorBody).toMatchObject({ type: 'object', required: ['error'] });
  });

  it('moves schemas with an id into components, with every $ref resolving from the root', () => {
    const room = z.object({ id: z.string(), name: z.string() }).meta({ id: 'RoomTestSchema' });
    const registry = new OpenApiRegistry();
    // Sorted by path, the route that takes the schema as input comes first.
    registry.add({ method: 'POST', path: '/api/rooms', body: z.object({ rooms: z.array(room) }) });
    registry.add({ method: 'GET', path: '/api/rooms/:id', response: z.object({ room }) });
    const document = registry.document(info);
    const text = JSON.stringify(document);
    expect(text).not.toContain('$defs');
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      expect(document.components.schemas[name as string]).toBeDefined();
    }
    // The output form is closed (additionalProperties: false), the input form is not: two components,
    // the plain name for what the API answers with.
    expect(Object.keys(document.components.schemas).filter((name) => name.startsWith('RoomTestSchema')).sort()).toEqual(['RoomTestSchema', 'RoomTestSchemaInput']);
    expect(document.components.schemas.RoomTestSchema).toMatchObject({ additionalProperties: false });
  });

  it('lists a schema with an id once however many routes use it, nested ids included', () => {
    const profile = z.object({ id: z.string() }).meta({ id: 'ProfileTestSchema' });
    const signedIn = z.object({ user: profile, accessToken: z.string() }).meta({ id: 'SignedInTestSchema' });
    const registry = new OpenApiRegistry();
    registry.add({ method: 'POST', path: '/api/auth/login', response: signedIn });
    registry.add({ method: 'POST', path: '/api/auth/register', response: signedIn });
    registry.add({ method: 'GET', path: '/api/users/me', response: profile });
    const document = registry.document(info);
    expect(Object.keys(document.components.schemas).filter((name) => name.includes('TestSchema')).sort()).toEqual([
      'ProfileTestSchema',
      'SignedInTestSchema',
    ]);
    const refOf = (path: string) =>
      ((document.paths[path]?.post ?? document.paths[path]?.get) as Operation).responses[path.endsWith('me') ? '200' : '201']?.content?.['application/json']?.schema;
    expect(refOf('/api/auth/login')).toEqual({ $ref: '#/components/schemas/SignedInTestSchema' });
    expect(refOf('/api/auth/register')).toEqual({ $ref: '#/components/schemas/SignedInTestSchema' });
    expect(refOf('/api/users/me')).toEqual({ $ref: '#/components/schemas/ProfileTestSchema' });
  });

  it('refuses a query schema that is not an object', () => {
    const registry = new OpenApiRegistry();
    registry.add({ method: 'GET', path: '/api/users', query: z.string() });
    expect(() => registry.document(info)).toThrow(/query schema of GET \/api\/users must be an object/);
  });
});

describe('renderDocsHtml', () => {
  it('renders every operation as escaped HTML without scripts or outside assets', () => {
    const registry = new OpenApiRegistry();
    registry.add({ method: 'GET', path: '/api/users', summary: 'Search <users> & more', query: z.object({ query: z.string() }) });
    const html = renderDocsHtml(registry.document(info));
    expect(html).toContain('<code>/api/users</code>');
    expect(html).toContain('Search &#60;users&#62; &#38; more');
    expect(html).not.toMatch(/<script|<link|src=/);
  });
});
