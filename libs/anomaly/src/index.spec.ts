import { describe, expect, it } from '@jest/globals';
import { answer } from './index.js';
describe('smoke', () => { it('answers', () => { expect(answer()).toBe(42); }); });
