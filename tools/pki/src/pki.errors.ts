/** Errors of `mapek pki`, with a machine-readable code; none is retryable without a change. */
export const PkiErrorCode = {
  opensslFailed: 'openssl_failed',
  usage: 'usage',
  unknownIdentity: 'unknown_identity',
  caMissing: 'ca_missing',
  /** A PQC key file cannot be read or parsed, or holds a key that does not match its public key. */
  keyFile: 'key_file',
  /** The API keys file cannot be read, parsed or written; a corrupt file is left as it is. */
  apiKeyFile: 'api_key_file',
  unknownApiKey: 'unknown_api_key',
  /** An API key's name or role is not allowed. */
  invalidApiPrincipal: 'invalid_api_principal',
} as const;
export type PkiErrorCode = (typeof PkiErrorCode)[keyof typeof PkiErrorCode];

export class PkiError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: PkiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PkiError';
  }
}
