import { build, type BuildOptions, type Plugin } from 'esbuild';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeBeyondAscii, type SourceMapV3 } from './ascii-output.js';
import { BundleError } from './bundle.errors.js';

/** The six loop services, each bundled from its compiled entry. */
export const BUNDLED_SERVICES = ['monitor', 'analyzer', 'planner', 'executor', 'knowledge', 'gateway'] as const;
export type BundledService = (typeof BUNDLED_SERVICES)[number];

/** Where a service's compiled entry and its bundle sit, relative to the repository root. */
export const serviceEntry = (service: BundledService): string => `services/${service}/dist/main.js`;
export const serviceBundle = (service: BundledService): string => `services/${service}/dist/main.bundle.mjs`;

/**
 * Packages Nest and Fastify import only when a feature mapek does not use is asked for (a second
 * transport, Express, views, static files, uploads, class-validator pipes). None is installed; they
 * stay imports in the bundle and fail there as they did before, only if a service ever asked for
 * one. A new optional import in a dependency fails the bundle, so it gets looked at.
 */
export const OPTIONAL_IMPORTS: readonly string[] = [
  '@fastify/multipart',
  '@fastify/static',
  '@fastify/view',
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/platform-express',
  '@nestjs/websockets/*',
  'class-transformer',
  'class-validator',
];

/**
 * Packages the bundle leaves as imports, resolved from the service's own node_modules when they
 * are imported: each is a dependency of every service (a spec checks). `@oqs/liboqs-js` (the
 * liboqs backend of `@mapek/pqc`, imported only where Node's OpenSSL has no ML-DSA) loads the
 * WebAssembly of each algorithm from a file beside its own, which a bundle would not have; it is
 * also ~0.5 MB of source that a service on Node's backend never runs.
 */
export const RUNTIME_IMPORTS: readonly string[] = ['@oqs/liboqs-js'];

/**
 * ESM has no `require`; the CommonJS packages inside the bundle (pino, fastify's plugins) call it
 * for Node's own modules, so the bundle defines one, as a module would with createRequire.
 */
const REQUIRE_BANNER =
  "import { createRequire as mapekCreateRequire } from 'node:module';\nconst require = mapekCreateRequire(import.meta.url);";

/**
 * Getters of Node's builtins that an ESM import would call for nothing. Importing a builtin as
 * ESM makes Node build the module's ESM facade, which reads every export, getters included, and
 * some getters load a module of their own on first read:
 * - `node:http`'s `WebSocket`, `CloseEvent` and `MessageEvent` load undici, Node's fetch (770 KB
 *   of source, with web streams behind it): 6 MB of resident memory in each service, which never
 *   fetches (Nest's core and OpenTelemetry import `http` as ESM);
 * - `node:crypto`'s `webcrypto`, `subtle` and `getRandomValues` load WebCrypto;
 * - `node:util`'s `debounce` and `throttle` load a module each.
 */
export const SKIPPED_GETTERS: Readonly<Record<string, readonly string[]>> = {
  http: ['WebSocket', 'CloseEvent', 'MessageEvent'],
  crypto: ['webcrypto', 'subtle', 'getRandomValues'],
  util: ['debounce', 'throttle'],
};

const BUILTIN_NAMESPACE = 'mapek-required-builtin';

/**
 * ESM imports of the builtins in {@link SKIPPED_GETTERS} become a module that `require`s the
 * builtin and exports what its facade would, except those getters. Importing one of them by name,
 * or reading it from a namespace import, fails the bundle (esbuild: no matching export, a
 * warning bundleService refuses); `default` is the builtin itself, so `http.default.WebSocket`
 * still works, lazily. `require` calls are untouched: CommonJS never built a facade.
 */
export const skipLazyBuiltinGetters: Plugin = {
  name: 'mapek-skip-lazy-builtin-getters',
  setup(esbuild) {
    const pattern = new RegExp(`^(node:)?(${Object.keys(SKIPPED_GETTERS).join('|')})$`);
    esbuild.onResolve({ filter: pattern }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? { path: args.path.replace(/^node:/, ''), namespace: BUILTIN_NAMESPACE }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: BUILTIN_NAMESPACE }, (args) => {
      const builtin = createRequire(import.meta.url)(`node:${args.path}`) as object;
      const skipped = SKIPPED_GETTERS[args.path] ?? [];
      const names = Object.keys(builtin).filter((name) => name !== 'default' && !skipped.includes(name));
      return {
        loader: 'js',
        contents: [
          "import { createRequire } from 'node:module';",
          `const builtin = createRequire(import.meta.url)('node:${args.path}');`,
          'export default builtin;',
          `export const { ${names.join(', ')} } = builtin;`,
        ].join('\n'),
      };
    });
  },
};

/**
 * The esbuild options of one service (ADR 0021): everything it imports in one ESM file, so that
 * Node reads, parses and keeps the source of one module instead of ~1,500. Syntax and whitespace
 * are minified (V8 keeps every module's source text for as long as the process runs), names are
 * not (stack traces and Nest's class names read as in the source); a linked source map leads back
 * to the compiled files (`node --enable-source-maps`).
 */
export function bundleOptions(root: string, service: BundledService): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: [serviceEntry(service)],
    outfile: serviceBundle(service),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    sourcemap: 'linked',
    // Strings and identifiers beyond ASCII are escaped; escapeBeyondAscii does the rest.
    charset: 'ascii',
    external: [...OPTIONAL_IMPORTS, ...RUNTIME_IMPORTS],
    banner: { js: REQUIRE_BANNER },
    plugins: [skipLazyBuiltinGetters],
    logLevel: 'silent',
  };
}

export interface BundleResult {
  readonly service: BundledService;
  readonly bundle: string;
  readonly bytes: number;
}

/** Bundles one service's compiled entry; its `tsc` build must have run. */
export async function bundleService(root: string, service: BundledService): Promise<BundleResult> {
  const entry = join(root, serviceEntry(service));
  if (!existsSync(entry))
    throw new BundleError(`${service}: ${serviceEntry(service)} does not exist — compile first (\`pnpm build\` does both)`);
  const bundle = join(root, serviceBundle(service));
  let outputs: Map<string, string>;
  try {
    // Kept in memory, not written: the bundle and its map are written once, made ASCII.
    const result = await build({ ...bundleOptions(root, service), write: false });
    const warnings = result.warnings.map((warning) => warning.text);
    if (warnings.length > 0) throw new BundleError(`${service}: esbuild warned: ${warnings.join('; ')}`);
    outputs = new Map(result.outputFiles.map((file) => [file.path, file.text]));
  } catch (error) {
    if (error instanceof BundleError) throw error;
    const messages = (error as { errors?: readonly { text: string }[] }).errors?.map((message) => message.text) ?? [];
    throw new BundleError(`${service}: cannot bundle ${serviceEntry(service)}: ${messages.join('; ') || String(error)}`, { cause: error });
  }
  const code = outputs.get(bundle);
  const map = outputs.get(`${bundle}.map`);
  if (code === undefined || map === undefined)
    throw new BundleError(`${service}: esbuild gave no ${serviceBundle(service)} or no source map`);
  const ascii = escapeBeyondAscii(code, JSON.parse(map) as SourceMapV3);
  await Promise.all([writeFile(bundle, ascii.code), writeFile(`${bundle}.map`, JSON.stringify(ascii.map))]);
  return { service, bundle, bytes: statSync(bundle).size };
}
