import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Passwords are hashed with scrypt (memory-hard, in node:crypto): 2^15 × 8 × 128 bytes = 32 MB
// per hash, about 0.1 s here, so a stolen table costs an attacker the same per guess.
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, o: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...o, maxmem: 256 * o.N * o.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (e, key) => (e ? reject(e) : resolve(key))));
}

/** scrypt$N$r$p$salt$hash, salt and hash base64url */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// Checking an unknown login costs as much as a known one, so timing does not tell which exist.
let decoy: Promise<string> | undefined;
export async function spendAsMuchAsAVerify(password: string): Promise<void> {
  decoy ??= hashPassword('not-a-password');
  await verifyPassword(password, await decoy);
}

/** A bank's usual minimum: 8+ characters with letters and digits. Returns what is missing. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < 8) return 'must be at least 8 characters long';
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return 'must contain both letters and digits';
  return undefined;
}
