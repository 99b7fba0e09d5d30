import { describe, expect, it } from '@jest/globals';
import { consoleSignOn } from './console-config.controller.js';

describe("the console's single sign-on settings", () => {
  const metadata = {
    issuer: 'https://login.example.org',
    authorizationEndpoint: 'https://login.example.org/auth',
    tokenEndpoint: 'https://login.example.org/token',
  };

  it('always ask for openid, once, and name each audience once', () => {
    expect(consoleSignOn(metadata, { clientId: 'mapek', scopes: ['profile', 'openid', 'groups'], audiences: ['mapek', 'mapek'] })).toEqual({
      ...metadata,
      clientId: 'mapek',
      scopes: ['openid', 'profile', 'groups'],
      audiences: ['mapek'],
      endSessionEndpoint: null,
    });
  });

  it("offer the provider's logout when discovery found one", () => {
    expect(
      consoleSignOn(
        { ...metadata, endSessionEndpoint: 'https://login.example.org/logout' },
        { clientId: 'c', scopes: [], audiences: ['api', 'c'] },
      ),
    ).toMatchObject({ scopes: ['openid'], endSessionEndpoint: 'https://login.example.org/logout' });
  });
});
