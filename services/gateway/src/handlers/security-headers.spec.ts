import { describe, expect, it } from '@jest/globals';
import { securityHeaders } from './security-headers.js';

describe('the security headers', () => {
  it('allow the console to connect to its own origin only, without single sign-on', () => {
    const csp = securityHeaders()['content-security-policy'];
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|wss?:/);
  });

  it("add the OpenID provider's origins (not paths) to connect-src once each, and nothing to scripts or styles", () => {
    const csp = securityHeaders([
      'https://login.example.org/realms/ops',
      'https://login.example.org/realms/ops/protocol/openid-connect/token',
      'https://tokens.example.net:8443/oauth/token',
    ])['content-security-policy'];
    expect(csp).toContain("connect-src 'self' https://login.example.org https://tokens.example.net:8443;");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).toContain("form-action 'none'");
  });
});
