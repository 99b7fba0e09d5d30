/** The URL with its password replaced by `***`, for printing. Text that is not a URL comes back unchanged. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
