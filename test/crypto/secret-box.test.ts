import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box';

describe('SecretBox (AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never contains the plaintext', () => {
    const sealed = box.seal({ appPassword: 'abcd-efgh-ijkl-mnop' }, 'account:1:credentials');
    expect(sealed).not.toContain('abcd');
    expect(box.open(sealed, 'account:1:credentials')).toEqual({ appPassword: 'abcd-efgh-ijkl-mnop' });
    expect(box.seal('x', 'c')).not.toBe(box.seal('x', 'c'));
  });

  it('refuses another context, another key and tampering', () => {
    const sealed = box.seal('secret', 'account:1:credentials');
    expect(() => box.open(sealed, 'account:2:credentials')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'account:1:credentials')).toThrow();
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => box.open(parts.join('.'), 'account:1:credentials')).toThrow();
  });
});
