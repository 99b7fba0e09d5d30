// Installs pnpm@<version> from the npm registry with nothing but Node: the build's base image may
// have no npm, corepack, curl or wget (the tests build from a debootstrapped Debian with Node added).
// The tarball is checked against the registry's sha512 integrity before it is unpacked.
//
//   node install-pnpm.mjs <version> <prefix>     -> <prefix>/bin/pnpm
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [version, prefix] = process.argv.slice(2);
if (!version || !prefix) {
  console.error('usage: node install-pnpm.mjs <version> <prefix>');
  process.exit(2);
}
const registry = (process.env.npm_config_registry ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');

const metadata = await fetch(`${registry}pnpm/${version}`);
if (!metadata.ok) throw new Error(`${registry}pnpm/${version} answered ${metadata.status}`);
const { dist } = await metadata.json();
const response = await fetch(dist.tarball);
if (!response.ok) throw new Error(`${dist.tarball} answered ${response.status}`);
const tarball = Buffer.from(await response.arrayBuffer());
const [algorithm, expected] = dist.integrity.split('-', 2);
const actual = createHash(algorithm).update(tarball).digest('base64');
if (actual !== expected) throw new Error(`pnpm ${version}: ${algorithm} ${actual} does not match the registry's ${expected}`);

const lib = join(prefix, 'lib', 'pnpm');
mkdirSync(lib, { recursive: true });
mkdirSync(join(prefix, 'bin'), { recursive: true });
execFileSync('tar', ['-xz', '-C', lib, '--strip-components=1'], { input: tarball });
const bin = join(prefix, 'bin', 'pnpm');
writeFileSync(bin, `#!/bin/sh\nexec node ${join(lib, 'bin', 'pnpm.cjs')} "$@"\n`);
chmodSync(bin, 0o755);
console.log(`pnpm ${version} in ${bin}`);
