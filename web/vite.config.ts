import { defineConfig } from 'vite';

// No React plugin: Vite 8 compiles TSX with its built-in oxc transform.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // hls.js (~580 kB) is its own lazily loaded chunk, fetched with the first video.
    chunkSizeWarningLimit: 700,
  },
  server: {
    proxy: {
      '/api': { target: process.env.FLICK_API ?? 'http://localhost:3000', changeOrigin: true },
      '/media': { target: process.env.FLICK_API ?? 'http://localhost:3000', changeOrigin: true },
    },
  },
});
