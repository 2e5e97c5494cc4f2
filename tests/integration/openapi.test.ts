import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.stop());

describe('the OpenAPI document', () => {
  it('is served and describes the ingest contract from the same schema the server validates with', async () => {
    const res = await fetch(`${t.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: { Event: { oneOf: { properties: Record<string, { enum?: string[] }> }[] } } };
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/events',
      '/auth/login',
      '/regions/{code}',
      '/snapshot/{code}',
      '/index/{code}',
      '/timeliness/{code}',
      '/alerts',
      '/alerts/{id}/ack',
      '/users',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const dispute = doc.components.schemas.Event.oneOf.find(
      (o) => o.properties.kind?.enum?.includes('dispute') || JSON.stringify(o.properties.kind).includes('dispute'),
    );
    expect(dispute?.properties.category?.enum).toContain('family');
    expect(dispute?.properties.status?.enum).toEqual([
      'received',
      'dispatched',
      'mediating',
      'resolved',
      'failed',
      'verified',
    ]);
  });
});
