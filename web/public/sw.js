// ClawChat's service worker: caches the app shell only (the page, its hashed assets, icons).
// API data and the socket are never cached: /api and /ws always go to the network.
// The build (web/vite.config.ts) writes the build's id into CACHE and every file under /assets/
// (each screen's chunk included) into ASSETS: a new build is a new worker, which caches the new
// files and drops the old cache, so every screen opens offline after the first visit.
const CACHE = 'clawchat-shell-dev';
const ASSETS = [];
const SHELL = ['/', '/manifest.webmanifest', '/icon.svg', '/icon-192.png', ...ASSETS];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== location.origin) return;
  if (/^\/(api|ws|docs|redoc|openapi\.json)(\/|$)/.test(url.pathname)) return;
  if (req.mode === 'navigate') {
    // Network first: a new build is picked up at once; the cached shell opens the app offline.
    event.respondWith(
      fetch(req)
        .then((res) => {
          // Only the app's page becomes the offline shell (not an image or file opened in a tab).
          if (res.ok && (res.headers.get('content-type') || '').startsWith('text/html')) {
            const copy = res.clone();
            void caches.open(CACHE).then((c) => c.put('/', copy));
          }
          return res;
        })
        .catch(() => caches.match('/').then((r) => r || Response.error())),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    // Hashed file names never change content: cache first.
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            // Each screen's chunk is cached the first time it is fetched, so a visited workspace
            // opens offline too. An HTML answer here is an error page, never an asset: not kept.
            if (res.ok && !(res.headers.get('content-type') || '').startsWith('text/html')) {
              const copy = res.clone();
              void caches.open(CACHE).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
  }
});
