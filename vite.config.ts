import react from '@vitejs/plugin-react';
import MagicString from 'magic-string';
import { readFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { defineConfig, type Plugin, type Rollup } from 'vite';

// The web app: source in src/web, built into dist/web, which `stratum serve` serves at /.
// Everything is bundled (the bank's network is closed: no CDN, no external fonts).
//
// Chunks, so that a page arrives in a handful of files the browser asks for all at once:
//   - the entry (main.tsx, a few kilobytes) sends the first screen's requests before the rest arrives;
//   - `react`: React, its DOM and the router; `echarts`, loaded with the first chart (app/echart.tsx);
//   - `ui-base`: the libraries the shell (app.tsx) and the sign-in page use: antd's core and the
//     components of the sign-in form, i18next, dayjs;
//   - `ui`: every other library module the signed-in pages use (antd's tables, tabs, menus, pickers…),
//     one file shared by all of them instead of dozens of pieces split by which pages use them;
//   - the app's own code: the shell, the frame and each page their own chunk, as Rollup splits them.
// Ant Design runs without its CSS-in-JS (theme.ts, zeroRuntime): its style sheet is a static file.
//
// What each first screen needs is written to first-screens.json at build time: the server puts it
// into the page as <link rel="modulepreload"> (src/platform/http.ts), so the browser fetches the
// whole page at once instead of discovering the files import by import.
// Every file is also written compressed (.br, .gz) at build time: the server sends those as they are.

const APP = '/src/web/app/';
/** The modules the shell loads for any screen (app.tsx), and the sign-in page. */
const SHELL = [`${APP}app.tsx`, `${APP}sign-in.page.tsx`];
/**
 * What the first screen at an address needs beyond the shell: the sign-in page, or (any other
 * address) the frame, antd's App around it and the pages; the server preloads them (`*`: any other).
 */
const FIRST_SCREENS: Record<string, string[]> = {
  '/sign-in': [`${APP}sign-in.page.tsx`],
  '*': [`${APP}frame.layout.tsx`, 'antd/es/app/index.js', `${APP}home.page.tsx`],
};

const REACT = /node_modules\/(react|react-dom|scheduler|react-router|cookie|set-cookie-parser)\//;
const ECHARTS = /node_modules\/(echarts|zrender)\//;

/**
 * The chunk of a library module, by what loads it: the shell or the sign-in page (`ui-base`), or
 * only pages inside the frame (`ui`). A module is "loaded by" the lazily imported modules (pages,
 * the frame, the shell…) that reach it through static imports.
 */
function chunkOf(): Rollup.GetManualChunk {
  let reachedFrom: Map<string, Set<string>> | null = null;
  /** for every module, the roots (the entry, and each module something imports lazily) whose static imports reach it */
  const reach = (ids: Iterable<string>, info: Rollup.GetModuleInfo) => {
    const map = new Map<string, Set<string>>();
    for (const root of ids) {
      const m = info(root);
      if (!m || !(m.isEntry || m.dynamicImporters.length > 0)) continue;
      const stack = [root];
      const seen = new Set(stack);
      while (stack.length) {
        const id = stack.pop() as string;
        if (!map.has(id)) map.set(id, new Set());
        map.get(id)?.add(root);
        for (const dep of info(id)?.importedIds ?? []) {
          if (!seen.has(dep)) {
            seen.add(dep);
            stack.push(dep);
          }
        }
      }
    }
    return map;
  };
  let chartRoots: Set<string> | null = null;
  return (id, { getModuleIds, getModuleInfo }) => {
    if (ECHARTS.test(id)) return 'echarts';
    if (REACT.test(id)) return 'react';
    reachedFrom ??= reach(getModuleIds(), getModuleInfo);
    chartRoots ??= new Set([...reachedFrom].filter(([m]) => ECHARTS.test(m)).flatMap(([, roots]) => [...roots]));
    const from = [...(reachedFrom.get(id) ?? [])];
    if (from.length === 0) return undefined;
    // the entry's own modules (main.tsx, api.ts, the preload helper, the style sheets) stay in the entry
    if (from.some((r) => getModuleInfo(r)?.isEntry)) return 'index';
    // what is loaded only with a chart stays with it
    if (from.every((r) => chartRoots?.has(r))) return undefined;
    const shell = from.some((r) => SHELL.some((s) => r.endsWith(s)));
    if (id.includes('/node_modules/')) return shell ? 'ui-base' : 'ui';
    // the project's own modules: the web app's, and any of the server's shared with it (a contract's
    // constants), which would otherwise land in 'react' and make the chunks import each other in a circle
    if (id.includes('/src/')) return shell ? 'app' : 'pages';
    return 'react'; // Rollup's own helpers (CommonJS interop), which React's modules need first
  };
}

/**
 * `import { Button, Table } from 'antd'` becomes `import Button from 'antd/es/button'` … in the app's
 * own modules (and the same for @ant-design/icons): the same bindings, but the module graph then
 * says which page uses which component, where the libraries' index modules (which import
 * everything) would make every component look used by every page.
 */
function directImports(): Plugin {
  const paths = new Map<string, Map<string, string>>();
  const index = (pkg: string, file: string, dir: string) => {
    const names = new Map<string, string>();
    const text = readFileSync(path.resolve('node_modules', pkg, file), 'utf8');
    for (const m of text.matchAll(/export \{ default as (\w+) \} from ['"]\.\/([\w-]+)['"]/g)) names.set(m[1] ?? '', `${pkg}/${dir}${m[2]}`);
    paths.set(pkg, names);
  };
  return {
    name: 'stratum-direct-imports',
    enforce: 'post',
    buildStart() {
      index('antd', 'es/index.js', 'es/');
      index('@ant-design/icons', 'es/icons/index.js', 'es/icons/');
    },
    transform(code, id) {
      if (id.includes('/node_modules/') || !id.includes('/src/web/')) return null;
      let out: MagicString | null = null;
      for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["'](antd|@ant-design\/icons)["'];?/g)) {
        const names = paths.get(m[2] ?? '');
        const specs = (m[1] ?? '').split(',').map((x) => x.trim()).filter(Boolean).map((x) => x.split(/\s+as\s+/));
        if (!names || specs.some(([name]) => !names.has(name ?? ''))) continue; // anything unusual stays as it was
        out ??= new MagicString(code);
        out.overwrite(m.index, m.index + m[0].length, specs.map(([name, local]) => `import ${local ?? name} from ${JSON.stringify(names.get(name ?? ''))};`).join(''));
      }
      return out ? { code: out.toString(), map: out.generateMap({ hires: true }) } : null;
    },
  };
}

const NAMED = new Set(['react', 'echarts', 'ui', 'ui-base', 'app', 'pages']);

/** The output chunks a module needs, its own and every chunk they import, in the order to ask for them. */
function chunkClosure(bundle: Rollup.OutputBundle, fileNames: string[]): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const chunk = bundle[file];
    if (chunk?.type !== 'chunk') return;
    for (const dep of chunk.imports) walk(dep);
    out.add(file);
  };
  for (const f of fileNames) walk(f);
  return [...out];
}

function chunkFor(bundle: Rollup.OutputBundle, moduleId: string): string | undefined {
  const chunks = Object.values(bundle).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
  return (chunks.find((c) => c.facadeModuleId?.endsWith(moduleId)) ?? chunks.find((c) => c.moduleIds.some((m) => m.endsWith(moduleId))))?.fileName;
}

/**
 * index.html preloads the shell's chunks (they download while the entry runs); first-screens.json
 * lists, for each first screen's address, every chunk it needs beyond those (the server adds them).
 */
function preloadFirstScreens(): Plugin {
  /** the shell's chunks: app.tsx and all it imports, but the entry */
  const shellOf = (bundle: Rollup.OutputBundle) => {
    const app = chunkFor(bundle, `${APP}app.tsx`);
    return app ? chunkClosure(bundle, [app]).filter((f) => !(bundle[f] as Rollup.OutputChunk).isEntry) : [];
  };
  return {
    name: 'stratum-first-screens',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        if (!ctx.bundle) return [];
        return shellOf(ctx.bundle).map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const }));
      },
    },
    generateBundle(_options, bundle) {
      const shell = shellOf(bundle);
      const screens: { path: string; preload: string[] }[] = [];
      for (const [route, modules] of Object.entries(FIRST_SCREENS)) {
        const own = modules.map((m) => chunkFor(bundle, m));
        if (own.some((f) => !f)) this.error(`first-screens: a module of ${route} is in no chunk (${modules.join(', ')})`);
        const files = chunkClosure(bundle, own as string[]).filter((f) => !shell.includes(f) && !(bundle[f] as Rollup.OutputChunk).isEntry);
        screens.push({ path: route, preload: files.map((f) => `/${f}`) });
      }
      this.emitFile({ type: 'asset', fileName: 'first-screens.json', source: `${JSON.stringify({ screens }, null, 1)}\n` });
    },
  };
}

/** Each built file also as .br (brotli, highest quality) and .gz, written once here instead of on every request. */
function precompress(): Plugin {
  const br = promisify(brotliCompress);
  const gz = promisify(gzip);
  let outDir = '';
  return {
    name: 'stratum-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async writeBundle() {
      const files = (await readdir(outDir, { recursive: true })).filter((f) => /\.(js|css|svg)$/.test(f));
      await Promise.all(
        files.map(async (f) => {
          const file = path.join(outDir, f);
          const data = await readFile(file);
          if (data.length < 1024) return;
          const [b, g] = await Promise.all([
            br(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } }),
            gz(data, { level: 9 }),
          ]);
          await Promise.all([writeFile(`${file}.br`, b), writeFile(`${file}.gz`, g)]);
        }),
      );
    },
  };
}

export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [react(), directImports(), preloadFirstScreens(), precompress()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1100, // `ui`, Ant Design for every page inside the frame, is the largest
    reportCompressedSize: false, // gzip-sizing every chunk costs seconds on a 2-core machine
    rollupOptions: {
      output: {
        manualChunks: chunkOf(),
        // a shared chunk is named after one of its modules by default, which misleads whoever reads the network panel
        chunkFileNames: (chunk) => (chunk.facadeModuleId || NAMED.has(chunk.name) ? 'assets/[name]-[hash].js' : 'assets/shared-[hash].js'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/docs': 'http://127.0.0.1:3000',
    },
  },
});
