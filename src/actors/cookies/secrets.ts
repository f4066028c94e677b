/**
 * What keeps cookie values secret: reports and snapshots show key names and
 * a short hash only, and at rest a value is sealed with AES-256-GCM when a
 * key is configured (`STEWARD_SECRET_KEY`: 32 bytes as 64 hex digits or
 * base64). Without a key values are stored as they are, marked so; with one,
 * the data directory holds no plaintext value.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { InvalidConfigError } from '../../errors.js';
import { parseCookie } from './cookie-string.js';
import type { MaskedKey } from './schemas.js';

const PLAIN = 'plain:';
const SEALED = 'gcm1:';

/**
 * The first 12 hex digits of a value's SHA-256: enough to tell two values
 * apart in a report, useless to recover either.
 *
 * @example
 * ```ts
 * shortHash('abc'); // 'ba7816bf8f01'
 * ```
 */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}

/**
 * The keys of a cookie as reports show them: each name in `keys`, whether it
 * is set, and its short hash.
 *
 * @example
 * ```ts
 * maskCookie('sid=abc; theme=dark', ['sid', 'csrf']); // [{ key: 'sid', present: true, hash: 'ba7816bf8f01' }, { key: 'csrf', present: false, hash: null }]
 * ```
 */
export function maskCookie(cookie: string | undefined, keys: readonly string[]): MaskedKey[] {
  const pairs = parseCookie(cookie ?? '');
  return keys.map((key) => {
    const value = pairs.get(key);
    return { key, present: value !== undefined, hash: value === undefined ? null : shortHash(value) };
  });
}

/** Seals values for the store and opens them again. @internal */
export interface CookieSealer {
  readonly encrypted: boolean;
  seal(value: string): string;
  open(sealed: string): string;
}

/**
 * A sealer for `secretKey` (64 hex digits or base64 of 32 bytes); without
 * one, values are kept as they are (prefixed, so a later key can tell).
 * Throws `ERR_INVALID_CONFIG` for a key of the wrong size, naming only its size.
 * @internal
 */
export function cookieSealer(secretKey: string | undefined): CookieSealer {
  if (secretKey === undefined || secretKey === '') {
    return {
      encrypted: false,
      seal: (value) => PLAIN + value,
      open: (sealed) => {
        if (sealed.startsWith(PLAIN)) return sealed.slice(PLAIN.length);
        throw new InvalidConfigError('this cookie value is encrypted: configure STEWARD_SECRET_KEY (the key it was sealed with) to read it');
      },
    };
  }
  const key = decodeKey(secretKey);
  return {
    encrypted: true,
    seal: (value) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return `${SEALED}${iv.toString('base64')}.${cipher.getAuthTag().toString('base64')}.${body.toString('base64')}`;
    },
    open: (sealed) => {
      if (sealed.startsWith(PLAIN)) return sealed.slice(PLAIN.length); // stored before a key was configured
      const [iv = '', tag = '', body = ''] = sealed.slice(SEALED.length).split('.');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
      } catch {
        throw new InvalidConfigError('a stored cookie value does not open with the configured STEWARD_SECRET_KEY: it was sealed with another key');
      }
    },
  };
}

function decodeKey(secretKey: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(secretKey) ? Buffer.from(secretKey, 'hex') : Buffer.from(secretKey, 'base64');
  if (key.length !== 32) throw new InvalidConfigError(`STEWARD_SECRET_KEY must be 32 bytes (64 hex digits or base64) for AES-256-GCM; it decodes to ${key.length} bytes`);
  return key;
}
