import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type Rollup } from 'vite';

// The web app: source in src/web, built into dist/web, which `stratum serve` serves at /.
// Everything is bundled (the bank's network is closed: no CDN, no external fonts).
//
// Chunks: the entry (main.tsx) is a few kilobytes that send the first screen's requests; the app
// shell (app.tsx) and every page are their own chunks, loaded when first shown. React and the
// router are one long-cached chunk every screen needs; ECharts is its own, loaded with the first
// chart (app/echart.tsx); Ant Design is left to Rollup to split by the pages that use its parts, so
// the sign-in page downloads only the few components it draws. (Rollup's experimentalMinChunkSize
// would halve the number of files, but merges small chunks into the entry, which then waits for React.)

const NAMED = new Set(['react', 'echarts']);

/**
 * The shell's chunks as <link rel="modulepreload"> in index.html: they download while the entry
 * runs, instead of after it asked for them.
 */
function preloadShell(): Plugin {
  return {
    name: 'stratum-preload-shell',
    enforce: 'post',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
        const shell = chunks.find((c) => c.facadeModuleId?.endsWith('/src/web/app/app.tsx'));
        if (!shell) return [];
        const files = new Set<string>();
        const walk = (file: string) => {
          if (files.has(file)) return;
          files.add(file);
          for (const dep of bundle[file]?.type === 'chunk' ? (bundle[file] as Rollup.OutputChunk).imports : []) walk(dep);
        };
        walk(shell.fileName);
        for (const c of chunks.filter((x) => x.isEntry)) files.delete(c.fileName);
        return [...files].map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${file}` }, injectTo: 'head' as const }));
      },
    },
  };
}

export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [react(), preloadShell()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 600, // ECharts, loaded only with a chart, is the largest
    reportCompressedSize: false, // gzip-sizing every chunk costs seconds on a 2-core machine
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          if (/node_modules\/(react|react-dom|scheduler|react-router|cookie|set-cookie-parser)\//.test(id)) return 'react';
          return undefined;
        },
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
