import fs from 'node:fs';
import { defineLua } from '../redis/lua.ts';

const dir = new URL('./scripts/', import.meta.url);
const read = (name: string) => fs.readFileSync(new URL(name, dir), 'utf8');
const common = read('common.lua');

// Each gets common.lua prepended (Redis Lua has no includes). Their keys: server/alerts/script-keys.ts.
export const RAISE_SCRIPT = defineLua('alertRaise', `${common}\n${read('raise.lua')}`);
export const TRANSITION_SCRIPT = defineLua('alertTransition', `${common}\n${read('transition.lua')}`);
