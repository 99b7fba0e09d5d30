export { escapeBeyondAscii, type SourceMapV3 } from './ascii-output.js';
export { BundleError } from './bundle.errors.js';
export {
  BUNDLED_SERVICES,
  OPTIONAL_IMPORTS,
  RUNTIME_IMPORTS,
  SKIPPED_GETTERS,
  bundleOptions,
  bundleService,
  serviceBundle,
  serviceEntry,
  skipLazyBuiltinGetters,
} from './service-bundle.js';
export type { BundleResult, BundledService } from './service-bundle.js';
