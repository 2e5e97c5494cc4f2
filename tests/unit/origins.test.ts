import { describe, expect, it } from 'vitest';
import { originPolicy } from '../../server/http/origins.ts';

describe('the origin policy', () => {
  const own = originPolicy(undefined);
  const listed = originPolicy(['https://wall.example.gov.cn', 'not a url']);

  it('lets scripts and other systems (no Origin) through: they need a key or token anyway', () => {
    expect(own.allows(undefined, '127.0.0.1:3000')).toBe(true);
  });

  it('takes an Origin that names the Host the request came to as the server’s own', () => {
    expect(own.allows('http://127.0.0.1:3000', '127.0.0.1:3000')).toBe(true);
    // The Vite dev server passes the Host through, so the dev page is its own origin too.
    expect(own.allows('http://127.0.0.1:5173', '127.0.0.1:5173')).toBe(true);
    expect(own.allows('http://127.0.0.1:5173', '127.0.0.1:3000')).toBe(false);
  });

  it('refuses foreign, opaque and non-web origins', () => {
    expect(own.allows('https://evil.example', '127.0.0.1:3000')).toBe(false);
    expect(own.allows('null', '127.0.0.1:3000')).toBe(false);
    expect(own.allows('file://', '127.0.0.1:3000')).toBe(false);
    expect(own.allows('chrome-extension://abc', 'abc')).toBe(false);
  });

  it('accepts configured origins, in any spelling of the same origin, and ignores bad entries', () => {
    expect(listed.allows('https://wall.example.gov.cn', 'pingan.internal:3000')).toBe(true);
    expect(listed.allows('https://WALL.example.gov.cn:443', 'pingan.internal:3000')).toBe(true);
    expect(listed.listed('https://wall.example.gov.cn')).toBe(true);
    expect(listed.listed('https://evil.example')).toBe(false);
  });
});
