/**
 * The headers of every response. The console may load only the gateway's own page, modules and
 * style sheet, and talk only to its own API and WebSocket ('self' covers ws:/wss: to the same
 * host) — plus, with single sign-on, the OpenID provider's origins, whose token endpoint the
 * browser calls to exchange the authorization code. No inline script or style, nothing else.
 */
export function securityHeaders(connectOrigins: readonly string[] = []): Record<string, string> {
  const connect = ["'self'", ...new Set(connectOrigins.map((url) => new URL(url).origin))].join(' ');
  return {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'content-security-policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}
