import { z } from 'zod';

// Zod builds fast object parsers with `new Function` when it may, probing with `Function('')` as
// each object schema is created. The server's CSP allows no eval (script-src 'self'), so the probe
// is refused and logged as a violation on every page. Imported first in main.ts, before any schema.
z.config({ jitless: true });
