import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// The page the server answers for every address of the single-page app (/my-day, /customers/C1 …):
// the built index.html, with the address's first screen's chunks added as <link rel="modulepreload">
// (first-screens.json, written by the build: vite.config.ts), so the browser asks for every file of
// that screen at once instead of finding them import by import. A build without that file (an older
// one) is answered with its index.html as it is.

interface FirstScreens {
  screens: { path: string; preload: string[] }[];
}

/** only the build's own hashed scripts are ever written into the page */
const ASSET = /^\/assets\/[\w.-]+\.js$/;

/** The page for a request's address (null: no index.html); read again whenever index.html changes (a new build). */
export function webShell(webDir: string): (url: string) => string | null {
  const indexFile = path.join(webDir, 'index.html');
  let cache: { mtimeMs: number; plain: string; byPath: Map<string, string> } | null = null;

  const load = () => {
    const mtimeMs = statSync(indexFile, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined) return null;
    if (cache?.mtimeMs === mtimeMs) return cache;
    const plain = readFileSync(indexFile, 'utf8');
    const byPath = new Map<string, string>();
    let manifest: FirstScreens = { screens: [] };
    try {
      manifest = JSON.parse(readFileSync(path.join(webDir, 'first-screens.json'), 'utf8')) as FirstScreens;
    } catch {
      // no manifest: the plain page
    }
    for (const screen of manifest.screens ?? []) {
      const links = (screen.preload ?? []).filter((f) => ASSET.test(f)).map((f) => `<link rel="modulepreload" crossorigin href="${f}">`);
      byPath.set(screen.path, links.length && plain.includes('</head>') ? plain.replace('</head>', `  ${links.join('\n    ')}\n  </head>`) : plain);
    }
    cache = { mtimeMs, plain, byPath };
    return cache;
  };

  return (url) => {
    const shells = load();
    if (!shells) return null;
    const pathname = url.split('?')[0] ?? url;
    return shells.byPath.get(pathname) ?? shells.byPath.get('*') ?? shells.plain;
  };
}
