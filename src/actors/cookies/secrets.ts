/**
 * Cookie values are secrets: they are sealed (AES-256-GCM when a key is
 * configured) wherever they rest, and shown only as key names with a short
 * hash, so two reports can say "the value changed" without saying what it was.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { InvalidConfigError } from '../../errors.js';
import { parseCookie } from './cookie-string.js';
import type { MaskedKey, SealedValue } from './messages.js';

/**
 * Seals and opens cookie values. With a 32-byte key, AES-256-GCM; without
 * one, values rest in plain text (and the store should be protected otherwise).
 *
 * @example
 * ```ts
 * const sealer = cookieSealer(process.env.STEWARD_SECRET_KEY);
 * const sealed = sealer.seal('sid=abc'); // { kind: 'aes-256-gcm', iv, tag, data }
 * sealer.open(sealed); // 'sid=abc'
 * ```
 */
export interface CookieSealer {
  readonly encrypted: boolean;
  seal(value: string): SealedValue;
  open(sealed: SealedValue): string;
}

/**
 * A sealer for `secretKey`: 64 hex characters or base64 of 32 bytes; `undefined` or empty leaves values plain.
 *
 * @example
 * ```ts
 * const sealer = cookieSealer(randomBytes(32).toString('hex'));
 * ```
 */
export function cookieSealer(secretKey: string | undefined): CookieSealer {
  if (!secretKey) {
    return {
      encrypted: false,
      seal: (value) => ({ kind: 'plain', value }),
      open: (sealed) => {
        if (sealed.kind !== 'plain') throw new InvalidConfigError('a cookie value is encrypted at rest but no STEWARD_SECRET_KEY is configured');
        return sealed.value;
      },
    };
  }
  const key = decodeKey(secretKey);
  return {
    encrypted: true,
    seal: (value) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return { kind: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    },
    open: (sealed) => {
      // A plain value written before the key was configured is still readable; the next commit seals it.
      if (sealed.kind === 'plain') return sealed.value;
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new InvalidConfigError('a stored cookie value cannot be decrypted: STEWARD_SECRET_KEY is not the key it was sealed with', { cause: error });
      }
    },
  };
}

function decodeKey(secretKey: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(secretKey) ? Buffer.from(secretKey, 'hex') : Buffer.from(secretKey, 'base64');
  if (key.length !== 32) throw new InvalidConfigError('STEWARD_SECRET_KEY must be 32 bytes: 64 hex characters or base64 of 32 bytes');
  return key;
}

/**
 * A short hash of a secret (8 hex characters of SHA-256): enough to tell values apart, too short to search for.
 *
 * @example
 * ```ts
 * shortHash('abc'); // 'ba7816bf'
 * ```
 */
export function shortHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 8);
}

/**
 * The keys of a cookie string as a report shows them: `keys` (the provider's)
 * first, each with a short hash of its value or `null` when absent.
 *
 * @example
 * ```ts
 * maskCookie('sid=abc; theme=dark', ['sid', 'csrf']); // [{ name: 'sid', hash: 'ba7816bf' }, { name: 'csrf', hash: null }, { name: 'theme', hash: '…' }]
 * ```
 */
export function maskCookie(cookie: string | undefined, keys: readonly string[]): MaskedKey[] {
  const pairs = cookie === undefined ? new Map<string, string>() : parseCookie(cookie);
  const names = [...new Set([...keys, ...pairs.keys()])];
  return names.map((name) => {
    const value = pairs.get(name);
    return { name, hash: value === undefined ? null : shortHash(value) };
  });
}
