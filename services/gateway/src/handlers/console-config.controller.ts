import { Controller, Get, Inject } from '@nestjs/common';
import { AutonomyLevel, CauseKind } from '@mapek/contracts';

/**
 * What the console needs before anyone signs in: which sign-ins the gateway accepts and, for
 * single sign-on, the provider's public client (authorization code flow with PKCE, no secret).
 * Public, like the page itself: nothing in it is a secret.
 */
export interface ConsoleConfig {
  /** API keys are accepted (a keys file is configured). */
  readonly apiKeys: boolean;
  readonly signOn: ConsoleSignOn | null;
  /** The contracts' words the console offers in its forms, so it keeps no list of its own. */
  readonly vocabulary: ConsoleVocabulary;
}

export interface ConsoleVocabulary {
  readonly causes: readonly CauseKind[];
  readonly autonomyLevels: readonly AutonomyLevel[];
}

/** The root causes and autonomy levels of the event contracts, in their declared order. */
export const consoleVocabulary: ConsoleVocabulary = {
  causes: Object.values(CauseKind),
  autonomyLevels: Object.values(AutonomyLevel),
};

export interface ConsoleSignOn {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The audiences the API accepts: the console sends the access token when it is a JWT for one of them, else the ID token. */
  readonly audiences: readonly string[];
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly endSessionEndpoint: string | null;
}

export const CONSOLE_CONFIG = Symbol.for('mapek.gateway.console-config');

export function consoleSignOn(
  metadata: {
    readonly issuer: string;
    readonly authorizationEndpoint: string;
    readonly tokenEndpoint: string;
    readonly endSessionEndpoint?: string | undefined;
  },
  client: { readonly clientId: string; readonly scopes: readonly string[]; readonly audiences: readonly string[] },
): ConsoleSignOn {
  return {
    issuer: metadata.issuer,
    clientId: client.clientId,
    // Without openid there is no ID token and no sign-on.
    scopes: ['openid', ...client.scopes.filter((scope) => scope !== 'openid')],
    audiences: [...new Set(client.audiences)],
    authorizationEndpoint: metadata.authorizationEndpoint,
    tokenEndpoint: metadata.tokenEndpoint,
    endSessionEndpoint: metadata.endSessionEndpoint ?? null,
  };
}

@Controller('api/v1/console/config')
export class ConsoleConfigController {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  @Get()
  get(): ConsoleConfig {
    return this.config;
  }
}
