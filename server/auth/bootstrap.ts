import { NATION } from '../../shared/regions.ts';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Role } from '../../shared/schemas/user.ts';
import type { Users } from './users.ts';

export interface DemoAccount {
  username: string;
  password: string;
  role: Role;
  region: string;
  /** Role `department`: its registry id (a default department of the region, `dep-<region>-<kind>`). */
  department?: string;
  note: string;
}

const password = () => randomBytes(9).toString('base64url');

/**
 * Creates the first admin (ADMIN_PASSWORD or a generated password) and, for the embedded demo,
 * one account of each kind. Generated passwords are kept in DATA_DIR/accounts.json (0600) so the
 * start banner can print them again; accounts that already exist are never touched.
 */
export async function bootstrapAccounts(opts: {
  users: Users;
  dataDir: string;
  root: string;
  /** The provinces served (a national deployment). */
  provinces?: readonly string[];
  adminPassword: string | undefined;
  demo: boolean;
}): Promise<DemoAccount[]> {
  const file = path.join(opts.dataDir, 'accounts.json');
  let known: DemoAccount[] = [];
  try {
    known = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoAccount[];
  } catch {
    /* first start */
  }
  const wanted: Omit<DemoAccount, 'password'>[] = [
    { username: 'admin', role: 'admin', region: opts.root, note: '管理员' },
  ];
  if (opts.demo) {
    const level = opts.root === NATION ? '全国' : '省级';
    wanted.push(
      { username: 'wall', role: 'wall', region: opts.root, note: `${level}大屏（只读）` },
      { username: 'duty', role: 'duty', region: opts.root, note: `${level}值班员` },
      { username: 'commander', role: 'commander', region: opts.root, note: `${level}指挥长` },
    );
    // A province's desk inside a national deployment: it sees its province and nothing else.
    if (opts.root === NATION && opts.provinces?.includes('62'))
      wanted.push({ username: 'gansu', role: 'commander', region: '62', note: '甘肃省指挥长' });
    if (opts.root === '62' || (opts.root === NATION && opts.provinces?.includes('62')))
      wanted.push(
        { username: 'zhangye', role: 'duty', region: '6207', note: '张掖市值班员' },
        // A department answering the whistle (/dept): 甘州区公安局, dispatched to from the 甘州区 desk.
        {
          username: 'ganzhou-police',
          role: 'department',
          region: '620702',
          department: 'dep-620702-police',
          note: '甘州区公安局（部门）',
        },
      );
  }
  const out: DemoAccount[] = [];
  for (const w of wanted) {
    const prior = known.find((k) => k.username === w.username);
    if (await opts.users.exists(w.username)) {
      if (prior) out.push(prior);
      continue;
    }
    const pw = w.username === 'admin' && opts.adminPassword ? opts.adminPassword : password();
    await opts.users.create({
      username: w.username,
      password: pw,
      role: w.role,
      region: w.region,
      ...(w.department ? { department: w.department } : {}),
    });
    // A password the operator chose is theirs to remember; only generated ones are written down.
    out.push({ ...w, password: w.username === 'admin' && opts.adminPassword ? '(ADMIN_PASSWORD)' : pw });
  }
  fs.writeFileSync(file, JSON.stringify(out, null, 2), { mode: 0o600 });
  return out;
}
