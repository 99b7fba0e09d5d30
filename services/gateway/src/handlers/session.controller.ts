import { Controller, Get } from '@nestjs/common';
import { ApiRole } from '@mapek/contracts';
import { rolePermissions } from '../domain/access-policy.js';
import type { Principal } from '../domain/api-key.verifier.js';
import { Caller } from './access-control.js';

/** Who the caller is and what its key may do: the console offers only what the role allows. */
@Controller('api/v1/session')
export class SessionController {
  @Get()
  session(@Caller() caller: Principal | undefined): {
    authenticated: boolean;
    name: string | null;
    role: string | null;
    permissions: readonly string[];
  } {
    // Without API keys (development) everyone may do everything.
    if (!caller) return { authenticated: false, name: null, role: null, permissions: rolePermissions[ApiRole.admin] };
    return { authenticated: true, name: caller.name, role: caller.role, permissions: rolePermissions[caller.role] };
  }
}
