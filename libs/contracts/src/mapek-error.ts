/**
 * Base of every named error in mapek: a machine-readable `code`, an explicit `retryable`, and
 * `name` set to the class's own name. Callers branch on `code` and `retryable`, never on the
 * message, which is for people.
 */
export abstract class MapekError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
