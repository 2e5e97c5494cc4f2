import type { SupervisionRefusal } from '../supervision/rules.ts';
import { HttpError } from './errors.ts';

/** The shared 督办 refusal (server/supervision/rules.ts) as the alert and problem routes answer it. */
export function supervisionError(r: SupervisionRefusal, what: string): HttpError {
  switch (r) {
    case 'own_desk':
      return new HttpError(403, 'own_desk', `督办 is set by a level above: this ${what} is at your own desk`);
    case 'not_above':
      return new HttpError(403, 'forbidden', `督办 is set by a level above the ${what}’s desk`);
    case 'deadline_past':
      return new HttpError(400, 'deadline_past', 'deadline: must be in the future', {
        errors: ['deadline: must be in the future'],
      });
  }
}
