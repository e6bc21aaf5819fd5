import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * The service worker learns the build: its cache is named after the build's files and it
 * precaches all of them (each lazily loaded screen included). sw.js then differs per build, so
 * browsers install the new worker, which drops the previous build's cache.
 */
function serviceWorkerManifest(): Plugin {
  let outDir = '';
  return {
    name: 'clawchat-sw-manifest',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    writeBundle(_options, bundle) {
      const assets = Object.keys(bundle)
        .filter((f) => f.startsWith('assets/'))
        .sort()
        .map((f) => `/${f}`);
      const id = createHash('sha256').update(assets.join('\n')).digest('hex').slice(0, 12);
      const file = path.join(outDir, 'sw.js');
      const sw = fs.readFileSync(file, 'utf8');
      const built = sw
        .replace("const CACHE = 'clawchat-shell-dev';", `const CACHE = 'clawchat-shell-${id}';`)
        .replace('const ASSETS = [];', `const ASSETS = ${JSON.stringify(assets)};`);
      if (built === sw)
        throw new Error('web/public/sw.js no longer has the CACHE and ASSETS lines to fill in');
      fs.writeFileSync(file, built);
    },
  };
}

// Preact's JSX without a Babel preset: the transformer reads tsconfig's jsxImportSource.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [serviceWorkerManifest()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script> or data: module preload: the CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8000', '/ws': { target: 'ws://127.0.0.1:8000', ws: true } },
  },
});
