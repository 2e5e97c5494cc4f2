import type { z } from 'zod';
import { describeIssues } from '../../shared/schemas/event.ts';
import { HttpError } from './errors.ts';

/** Parses a request part with a schema; a 400 naming each bad field otherwise. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, 'bad_request', `invalid ${what}`, { errors: describeIssues(r.error) });
  return r.data;
}
