// A worker thread does not inherit the TypeScript loader of the thread that started it (Node 20),
// so each parse worker registers it before loading its TypeScript (as the aggregator thread does).
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
