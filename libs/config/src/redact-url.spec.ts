import { describe, expect, it } from '@jest/globals';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides the password of a database URL', () => {
    expect(redactUrl('postgres://mapek:s3cret@db.internal:5432/mapek')).toBe('postgres://mapek:***@db.internal:5432/mapek');
  });

  it('leaves a URL without password as it is', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
  });

  it('returns text that is not a URL unchanged', () => {
    expect(redactUrl('not a url')).toBe('not a url');
  });
});
