/** An allow-listed command: an argv with `{param}` placeholders, each allowed value an anchored regex. */
export interface CommandTemplate {
  readonly argv: readonly string[];
  readonly allow: Readonly<Record<string, string>>;
}

export type ExpandedCommand = { readonly ok: true; readonly argv: string[] } | { readonly ok: false; readonly problem: string };

const placeholder = /\{([A-Za-z_][\w-]*)\}/g;

/**
 * Fills a command's placeholders from a step's params. Every placeholder needs an `allow` entry,
 * and the value must match it whole (the pattern is anchored here as well, so `allow: {n: '\\d+'}`
 * cannot be satisfied by `1; rm -rf /`). The result is an argv for execFile: no shell ever sees
 * it, so a value cannot add arguments or commands, only fill its own slot.
 */
export function expandCommand(template: CommandTemplate, params: Readonly<Record<string, string | number | boolean>>): ExpandedCommand {
  const argv: string[] = [];
  for (const part of template.argv) {
    let problem: string | undefined;
    const filled = part.replace(placeholder, (_match, name: string) => {
      const pattern = template.allow[name];
      const value = params[name];
      if (pattern === undefined) problem ??= `placeholder {${name}} has no allow pattern`;
      else if (value === undefined) problem ??= `param ${name} is missing`;
      else if (!new RegExp(`^(?:${pattern})$`, 'u').test(String(value)) || String(value).includes('\0'))
        problem ??= `param ${name}=${JSON.stringify(String(value))} does not match ${pattern}`;
      return value === undefined ? '' : String(value);
    });
    if (problem) return { ok: false, problem };
    argv.push(filled);
  }
  return argv.length > 0 ? { ok: true, argv } : { ok: false, problem: 'the command is empty' };
}
