import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web app: source in src/web, built into dist/web, which `stratum serve` serves at /.
// Everything is bundled (the bank's network is closed: no CDN, no external fonts).
export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // antd alone is ~1 MB minified; it is split into its own long-cached chunk, so the default
    // 500 kB warning would only be noise.
    chunkSizeWarningLimit: 1600,
    reportCompressedSize: false, // gzip-sizing every chunk costs seconds on a 2-core machine
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          if (/node_modules\/(antd|@ant-design|@rc-component|rc-[^/]+|@emotion)\//.test(id)) return 'antd';
          if (/node_modules\/(react|react-dom|scheduler|react-router|cookie|set-cookie-parser)\//.test(id)) return 'react';
          return 'vendor';
        },
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
