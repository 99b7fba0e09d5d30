import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BundleError } from './bundle.errors.js';
import { BUNDLED_SERVICES, bundleService, type BundledService } from './service-bundle.js';

const usage = `usage: bundle [service ...]   one ESM file per loop service (${BUNDLED_SERVICES.join(', ')}; all when none is named)`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const isService = (name: string): name is BundledService => (BUNDLED_SERVICES as readonly string[]).includes(name);

async function main(argv: readonly string[]): Promise<void> {
  const names = argv.filter((arg) => arg !== '--');
  const unknown = names.filter((name) => !isService(name));
  if (unknown.length > 0) throw new BundleError(`unknown service ${unknown.join(', ')}\n${usage}`);
  const services = names.length === 0 ? BUNDLED_SERVICES : names.filter(isService);
  const results = await Promise.all(services.map((service) => bundleService(root, service)));
  for (const result of results)
    console.log(`bundle: ${result.service} → ${result.bundle.slice(root.length + 1)} (${(result.bytes / 1e6).toFixed(1)} MB)`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof BundleError ? `bundle: ${error.message}` : error);
  process.exit(1);
});
