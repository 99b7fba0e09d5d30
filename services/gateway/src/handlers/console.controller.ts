import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Controller, Get, Header, HttpStatus, Param } from '@nestjs/common';
import { CONSOLE_MODULES_DIR } from '../console-modules.js';
import { CONSOLE_PAGE, CONSOLE_STYLE } from './console.page.js';
import { httpError } from './http-errors.js';

/** The compiled console modules, read once. */
const modules = new Map<string, string>();
const MODULE_NAME = /^[a-z][a-z-]*\.js$/;

function moduleText(name: string): string | undefined {
  if (!MODULE_NAME.test(name)) return undefined;
  if (!modules.has(name)) {
    try {
      modules.set(name, readFileSync(path.join(CONSOLE_MODULES_DIR, name), 'utf8').replace(/\n\/\/# sourceMappingURL=.*$/, '\n'));
    } catch {
      return undefined;
    }
  }
  return modules.get(name);
}

/**
 * The web console at `/`: one page, one style sheet and the console's ES modules, all served by
 * the gateway itself (the CSP allows nothing else). They are public: what the console shows comes
 * from the API with the key the user signs in with.
 */
@Controller()
export class ConsoleController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return CONSOLE_PAGE;
  }

  @Get('console/app.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  style(): string {
    return CONSOLE_STYLE;
  }

  @Get('console/:module')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(@Param('module') name: string): string {
    const text = moduleText(name);
    if (text === undefined) throw httpError(HttpStatus.NOT_FOUND, 'not_found', `no console module ${name}`);
    return text;
  }
}
