// Builds the browser bundles into dist/public, which the collector serves:
//   snippet/index.ts     → dist/public/lt.js            (one minified IIFE, no runtime dependencies)
//   snippet/lt-forms.ts  → dist/public/lt-forms.js      (form capture, an ES module lt.js imports on pages with a form)
//   dashboard/main.ts    → dist/public/dashboard/main.js (+ index.html and styles.css copied beside it)
import { readFileSync } from 'node:fs';
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { nodeResolve } from '@rollup/plugin-node-resolve';

/** Emits static files next to the bundle so dist/public/dashboard is self-contained. */
function copyFiles(files) {
  return {
    name: 'copy-files',
    generateBundle() {
      for (const file of files) {
        this.emitFile({ type: 'asset', fileName: file.split('/').pop(), source: readFileSync(file) });
      }
    },
  };
}

/** A type error must fail the build, not scroll past as a warning and ship. */
function failOnTypeScriptWarnings(warning, warn) {
  if (warning.plugin === 'typescript') throw new Error(warning.message);
  warn(warning);
}

/**
 * lt.js (an IIFE: a classic script, as the tag loads it) and lt-forms.js (an ES module: lt.js
 * imports it with import(), and its one export is what lt.js calls), minified alike.
 */
const snippet = (input, file, format) => ({
  input,
  onwarn: failOnTypeScriptWarnings,
  output: { file, format, strict: true },
  plugins: [
    typescript({ tsconfig: 'snippet/tsconfig.json', noEmit: false, outDir: undefined }),
    terser({
      ecma: 2017,
      // Several passes and top-level mangling matter for the gzip budget (SPEC: lt.js ≤ 3 KiB gzip).
      // hoist_funs (function declarations first, where the engine hoists them anyway): −26 B gzip.
      compress: { passes: 3, unsafe_arrows: true, pure_getters: true, hoist_funs: true },
      mangle: { toplevel: true },
      format: { comments: false },
    }),
  ],
});

export default [
  snippet('snippet/index.ts', 'dist/public/lt.js', 'iife'),
  snippet('snippet/lt-forms.ts', 'dist/public/lt-forms.js', 'es'),
  {
    input: 'dashboard/main.ts',
    onwarn: failOnTypeScriptWarnings,
    output: { file: 'dist/public/dashboard/main.js', format: 'es', sourcemap: true },
    plugins: [
      nodeResolve({ browser: true }),
      typescript({ tsconfig: 'dashboard/tsconfig.json', noEmit: false, outDir: 'dist/public/dashboard' }),
      terser({ format: { comments: false } }),
      // uPlot's own styles: the CSP allows no inline <style>, so they ship as a file beside ours.
      copyFiles(['dashboard/index.html', 'dashboard/styles.css', 'node_modules/uplot/dist/uPlot.min.css']),
    ],
  },
];
