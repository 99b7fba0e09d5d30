import { bootstrap } from './bootstrap.js';

bootstrap().catch((error: unknown) => {
  process.stderr.write(`demo-app failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
