/** A service could not be bundled (not compiled yet, or esbuild refused it). */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  readonly code = 'BUNDLE_FAILED';
  readonly retryable = false;
}
