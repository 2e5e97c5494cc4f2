import { z } from 'zod';
import { ERROR_CODES } from '../ack.ts';

/** `{error: {code, message, details?}}`: the body of every 4xx and 5xx reply of the HTTP API. */
export const errorReplySchema = z.object({
  error: z.object({
    /** A closed list, so clients can react to it and nothing internal leaks. */
    code: z.enum(ERROR_CODES),
    message: z.string(),
    /** For a 400 from a schema, `{errors: ['field: reason', …]}`; for a refused alert action, its state. */
    details: z.unknown().optional(),
  }),
});
export type ErrorReply = z.infer<typeof errorReplySchema>;
