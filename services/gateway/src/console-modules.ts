import path from 'node:path';

/**
 * Where the console's compiled ES modules are (services/gateway/console → dist/console). This file
 * sits at the root of src/, so its compiled form sits at the root of dist/, as the gateway's bundle
 * does (ADR 0021): from either, they are in `console/` beside it. (A module deeper in src/ would
 * resolve the bundle's directory, not its own, once bundled.)
 */
export const CONSOLE_MODULES_DIR = path.resolve(import.meta.dirname, 'console');
