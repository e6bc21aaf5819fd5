// `npm start` builds only what is missing or older than its sources, so a built checkout
// starts in under two seconds instead of recompiling TypeScript at every start.
//   server: dist/server.js vs src/**/*.ts (tests excluded), tsconfig*.json, package.json
//   web:    web/dist/index.html vs web/src, web/public, web/index.html, web/vite.config.ts and
//           the server's schemas (the web client's types are generated from them)
// Plain JavaScript on purpose: it runs before anything is compiled.
/* global console */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const at = (...p) => path.join(root, ...p);

function newest(entry, accept = () => true) {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return accept(entry) ? stat.mtimeMs : 0;
  let max = 0;
  for (const name of fs.readdirSync(entry)) {
    if (name === 'node_modules' || name === 'dist') continue;
    max = Math.max(max, newest(path.join(entry, name), accept));
  }
  return max;
}
const mtime = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : -1);
const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });
const notTest = (f) => f.endsWith('.ts') && !f.endsWith('.test.ts');

const serverInputs = Math.max(
  newest(at('src'), notTest),
  mtime(at('tsconfig.json')),
  mtime(at('tsconfig.build.json')),
  mtime(at('package.json')),
);
if (mtime(at('dist', 'server.js')) < serverInputs) {
  console.log('prestart: compiling the server (dist/ is missing or older than src/)');
  run('npm run build');
}

const webInputs = Math.max(
  newest(at('web', 'src'), (f) => !f.endsWith('api-types.ts')),
  newest(at('web', 'public')),
  mtime(at('web', 'index.html')),
  mtime(at('web', 'vite.config.ts')),
  mtime(at('web', 'package.json')),
  // The client's types come from every route's schemas, inline ones and the frames included.
  newest(at('src'), (f) => f.endsWith('.schemas.ts') || f.endsWith('.routes.ts') || f.endsWith('frames.ts')),
);
if (mtime(at('web', 'dist', 'index.html')) < webInputs) {
  console.log('prestart: building the web app (web/dist is missing or older than web/src)');
  run('npm run build:web');
}
