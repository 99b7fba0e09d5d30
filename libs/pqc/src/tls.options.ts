import type { ConnectionOptions, TLSSocket, TlsOptions } from 'node:tls';

/**
 * Key-exchange groups in preference order: the hybrid X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem,
 * OpenSSL 3.5+), then classical X25519 and P-256 for peers that do not offer it. Node passes
 * `ecdhCurve` to SSL_CTX_set1_groups_list, so TLS 1.3 group names are accepted there.
 */
export const PQC_TLS_GROUPS = 'X25519MLKEM768:X25519:P-256';

export interface TlsCredentials {
  /** PEM */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** CA bundle (PEM) the peer's certificate must chain to. */
  readonly ca: string | Buffer;
}

/** Server options: TLS 1.3 only, hybrid group first, client certificate required (mTLS). */
export function pqcTlsServerOptions(credentials: TlsCredentials, options: { requireClientCert?: boolean } = {}): TlsOptions {
  const requireClientCert = options.requireClientCert ?? true;
  return {
    cert: credentials.cert,
    key: credentials.key,
    ca: credentials.ca,
    minVersion: 'TLSv1.3',
    ecdhCurve: PQC_TLS_GROUPS,
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
  };
}

/** Client options: TLS 1.3 only, offers the hybrid group first, presents its certificate. */
export function pqcTlsClientOptions(
  credentials: Partial<Pick<TlsCredentials, 'cert' | 'key'>> & Pick<TlsCredentials, 'ca'>,
  options: { servername?: string } = {},
): ConnectionOptions {
  return {
    ...(credentials.cert !== undefined && { cert: credentials.cert }),
    ...(credentials.key !== undefined && { key: credentials.key }),
    ca: credentials.ca,
    minVersion: 'TLSv1.3',
    ecdhCurve: PQC_TLS_GROUPS,
    rejectUnauthorized: true,
    ...(options.servername !== undefined && { servername: options.servername }),
  };
}

/**
 * The key-exchange group a client socket negotiated ("X25519MLKEM768", "X25519", …), from
 * `getEphemeralKeyInfo()`; undefined on the server side, where Node does not report it.
 */
export function negotiatedGroup(socket: TLSSocket): string | undefined {
  const info = socket.getEphemeralKeyInfo();
  return info && typeof info === 'object' && 'name' in info && typeof info.name === 'string' ? info.name : undefined;
}
