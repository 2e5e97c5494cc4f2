import { Router, type Response } from 'express';
import { newIngestKeySchema } from '../../../shared/schemas/user.ts';
import type { NewIngestKeyReply } from '../../../shared/schemas/admin.ts';
import type { IngestKeys, IngestKeyView } from '../../auth/ingest-keys.ts';
import type { Tokens } from '../../auth/tokens.ts';
import type { RegionTree } from '../../regions/tree.ts';
import type { AuditLog } from '../../audit/log.ts';
import { inScope } from '../../auth/scope.ts';
import { principal, requireUser } from '../authenticate.ts';
import { HttpError } from '../errors.ts';
import { parse } from '../parse.ts';
import { regionParam } from './regions.ts';

/**
 * Ingest keys of source systems. A key is bound to a region's subtree (an admin's own by default),
 * so an admin can only hand out keys that write where it may look; keys from INGEST_KEYS cover
 * the whole tree and are managed in the environment.
 */
export function ingestKeysRouter(deps: {
  ingestKeys: IngestKeys;
  tokens: Tokens;
  tree: RegionTree;
  audit: AuditLog;
}): Router {
  const router = Router();
  const admin = requireUser(deps.tokens, ['admin']);
  const areaOf = (k: IngestKeyView) => k.region ?? deps.tree.root;
  const visible = (res: Response, k: IngestKeyView) => inScope(principal(res), areaOf(k));

  router.get('/ingest-keys', admin, async (_req, res) => {
    res.json((await deps.ingestKeys.list()).filter((k) => visible(res, k)));
  });

  router.post('/ingest-keys', admin, async (req, res) => {
    const body = parse(newIngestKeySchema, req.body, 'ingest key');
    const region = regionParam(deps.tree, body.region ?? principal(res).region, res);
    const actor = principal(res).username;
    const { id, key } = await deps.ingestKeys.create(body.source, actor, region);
    await deps.audit.append({
      actor,
      action: 'ingest_key.create',
      target: id,
      region,
      detail: { source: body.source },
    });
    // The only time the key is ever shown: the server keeps its digest alone.
    const reply: NewIngestKeyReply = { id, key, source: body.source, region };
    res.status(201).json(reply);
  });

  router.delete('/ingest-keys/:id', admin, async (req, res) => {
    const id = String(req.params.id);
    if (!/^[0-9a-f]{16}$/.test(id)) throw new HttpError(400, 'bad_request', 'not an ingest key id');
    const k = await deps.ingestKeys.get(id);
    if (!k) throw new HttpError(404, 'not_found', `no ingest key ${id}`);
    if (!visible(res, k)) throw new HttpError(403, 'out_of_scope', `ingest key ${id} is outside your area`);
    if (k.configured) throw new HttpError(409, 'conflict', 'this key is set in INGEST_KEYS; remove it there');
    if (!(await deps.ingestKeys.revoke(id, principal(res).username)))
      throw new HttpError(409, 'conflict', 'already revoked');
    await deps.audit.append({
      actor: principal(res).username,
      action: 'ingest_key.revoke',
      target: id,
      region: areaOf(k),
      detail: { source: k.source },
    });
    res.status(204).end();
  });

  return router;
}
