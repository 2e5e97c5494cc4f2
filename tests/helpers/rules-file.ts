import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WarningsConfig } from '../../server/warnings/config.ts';

/**
 * Points RULES_FILE (read by createServer) at a copy of the default rules changed by `edit`, for a
 * test whose alerts must be exactly the ones it makes; returns the cleanup.
 */
export function useRulesFile(edit: (rules: WarningsConfig) => void): () => void {
  const rules = JSON.parse(fs.readFileSync('server/warnings/rules.default.json', 'utf8')) as WarningsConfig;
  edit(rules);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-rules-'));
  process.env.RULES_FILE = path.join(dir, 'rules.json');
  fs.writeFileSync(process.env.RULES_FILE, JSON.stringify(rules));
  return () => {
    delete process.env.RULES_FILE;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
