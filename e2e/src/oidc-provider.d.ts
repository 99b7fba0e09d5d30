/** The part of oidc-provider (test-only dependency, no bundled types) the OIDC tests use. */
declare module 'oidc-provider' {
  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): import('node:http').RequestListener;
    on(event: 'server_error', listener: (context: unknown, error: Error) => void): this;
  }
}
