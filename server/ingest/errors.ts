/**
 * Why ingest refused a whole body before looking at any of its events. Ingest knows nothing of
 * HTTP: the route turns each reason into a status and an error code.
 */
export type BodyRefusal = 'empty' | 'not_json' | 'too_many_events';

export class IngestBodyError extends Error {
  constructor(
    readonly reason: BodyRefusal,
    message: string,
  ) {
    super(message);
  }
}
