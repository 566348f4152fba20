// The size of lt.js and lt-forms.js as visitors download them, and where lt.js's bytes are.
//
//   node bench/snippet-size.mjs            # the built dist/public/lt.js and lt-forms.js (npm run build, or npx rollup -c)
//   node bench/snippet-size.mjs --modules  # also: lt.js rebuilt without each feature module
//
// gzip is level 9 (what tests/snippet/size-budget.test.ts checks); brotli is quality 11, what
// GET /lt.js and GET /lt-forms.js serve to browsers that accept it (collector/routes/snippet.ts).
// Every page downloads lt.js; a page with a form downloads lt-forms.js too (snippet/forms-loader.ts).
//
// --modules rebuilds snippet/index.ts with rollup.config.mjs's own terser settings, but with
// TypeScript's transpileModule instead of the type-checking plugin (byte-identical output), and
// with one module's exports replaced by no-ops: the difference to the full bundle is what that
// module costs. "core" is the bundle with every module outside the core replaced.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SNIPPET = join(ROOT, 'snippet');
const PUBLIC = join(ROOT, 'dist', 'public');
/** SPEC acceptance: lt.js at most 3 KiB gzip. */
const BUDGET = 3072;
/** Given figures (gzip of each project's own build, measured 2026-11), for comparison only. */
const REFERENCES = [
  ['Umami script.js', 2245],
  ['Plausible script.js', 2694],
];
/** Transport, identity, settings and the page API: every other module builds on them. */
const CORE = ['index', 'config', 'identity', 'transport', 'pageviews', 'engagement'];

const { values } = parseArgs({ options: { modules: { type: 'boolean', default: false } } });

const measure = (code) => ({
  raw: Buffer.byteLength(code),
  gzip: gzipSync(code, { level: 9 }).length,
  brotli: brotliCompressSync(code, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY } }).length,
});

const built = measure(readFileSync(join(PUBLIC, 'lt.js')));
const forms = measure(readFileSync(join(PUBLIC, 'lt-forms.js')));
console.log(`dist/public/lt.js        ${built.raw} B raw, ${built.gzip} B gzip, ${built.brotli} B brotli`);
console.log(`dist/public/lt-forms.js  ${forms.raw} B raw, ${forms.gzip} B gzip, ${forms.brotli} B brotli`);
console.log(`a page with a form: both, ${built.gzip + forms.gzip} B gzip, ${built.brotli + forms.brotli} B brotli`);
console.log(`budget ${BUDGET} B gzip for lt.js: ${built.gzip <= BUDGET ? `${BUDGET - built.gzip} B to spare` : `${built.gzip - BUDGET} B over`}`);
for (const [name, gzip] of REFERENCES) console.log(`  for comparison (given): ${name} ${gzip} B gzip`);

if (values.modules) {
  const { rollup } = await import('rollup');
  const ts = (await import('typescript')).default;
  const config = (await import(join(ROOT, 'rollup.config.mjs'))).default.find((entry) => entry.input === 'snippet/index.ts');
  const files = readdirSync(SNIPPET).filter((file) => file.endsWith('.ts')).map((file) => file.slice(0, -3));
  const sources = Object.fromEntries(files.map((name) => [name, readFileSync(join(SNIPPET, `${name}.ts`), 'utf8')]));
  /** A module's imports of values (not `import type`): [statement, names, module]. */
  const valueImports = (source) => source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'\.\/([\w-]+)\.js'/g);
  /** The modules lt.js is built from (lt-forms.js's are not): index.ts, what it imports, and so on. */
  const modules = ['index'];
  for (const name of modules) {
    for (const [, , from] of valueImports(sources[name])) if (!modules.includes(from)) modules.push(from);
  }

  /** The names other modules import from `name`, so its stand-in exports them. */
  const importedFrom = (name) => {
    const names = new Set();
    for (const source of Object.values(sources)) {
      for (const [, list, from] of valueImports(source)) {
        if (from !== name) continue;
        for (const item of list.split(',').map((part) => part.trim())) if (item && !item.startsWith('type ')) names.add(item);
      }
    }
    return [...names];
  };

  /** Builds the snippet with `stubbed` modules replaced by no-op exports; returns its sizes. */
  async function buildWithout(stubbed) {
    const transpile = {
      name: 'transpile',
      resolveId(id, importer) {
        if (!importer) return resolve(ROOT, id);
        if (id.startsWith('../collector/')) return '\0types';
        const name = id.replace(/^\.\//, '').replace(/\.js$/, '');
        return stubbed.includes(name) ? `\0stub:${name}` : join(dirname(importer), `${name}.ts`);
      },
      load(id) {
        if (id === '\0types') return 'export {}';
        if (id.startsWith('\0stub:')) return importedFrom(id.slice(6)).map((name) => `export function ${name}() {}`).join('\n');
        return readFileSync(id, 'utf8');
      },
      transform(code, id) {
        if (!id.endsWith('.ts')) return null;
        const options = { target: ts.ScriptTarget.ES2017, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, isolatedModules: true };
        return ts.transpileModule(code, { compilerOptions: options }).outputText;
      },
    };
    const plugins = [transpile, ...config.plugins.filter((plugin) => plugin.name !== 'typescript')];
    const bundle = await rollup({ input: config.input, plugins, onwarn: () => {} });
    const { output } = await bundle.generate({ format: config.output.format, strict: config.output.strict });
    return measure(output[0].code);
  }

  const full = await buildWithout([]);
  console.log(`\nrebuilt from snippet/ now: ${full.gzip} B gzip, ${full.brotli} B brotli${full.gzip === built.gzip ? '' : ' (dist/ is older than the sources)'}`);
  const core = await buildWithout(modules.filter((name) => !CORE.includes(name)));
  console.log(`core (${CORE.join(', ')}): ${core.gzip} B gzip, ${core.brotli} B brotli`);
  console.log('each module, by what the bundle loses without it (gzip, brotli):');
  for (const name of modules.filter((module) => !['index', 'config', 'identity', 'transport'].includes(module))) {
    const without = await buildWithout([name]);
    console.log(`  ${`${name}.ts`.padEnd(18)} ${String(full.gzip - without.gzip).padStart(5)} B ${String(full.brotli - without.brotli).padStart(5)} B`);
  }
}
