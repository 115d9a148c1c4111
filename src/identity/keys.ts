import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { exportJWK, importJWK, calculateJwkThumbprint, type JWK, type CryptoKey } from 'jose';

export const SIGNING_ALG = 'ES256';

/** One ES256 key pair as the hub keeps it: the private half signs, the public JWK goes into a JWKS. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * Loads `<dir>/<name>.private.jwk.json`, creating it on first use so a fresh clone runs without setup.
 * Production deployments mount their own key files (mode 0600) into HUB_KEYS_DIR.
 */
export async function loadOrCreateKey(dir: string, name: string): Promise<SigningKey> {
  const file = path.join(dir, `${name}.private.jwk.json`);
  let jwk: JWK;
  if (fs.existsSync(file)) {
    jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  } else {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    jwk = await exportJWK(privateKey);
    jwk.kid = `${name}-${(await calculateJwkThumbprint(jwk)).slice(0, 16)}`;
    jwk.alg = SIGNING_ALG;
    jwk.use = 'sig';
    fs.mkdirSync(dir, { recursive: true });
    // wx: two processes starting at once must not overwrite each other's fresh key.
    try {
      fs.writeFileSync(file, JSON.stringify(jwk, null, 2), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
    }
  }
  return keyFromJwk(jwk);
}

export async function keyFromJwk(jwk: JWK): Promise<SigningKey> {
  if (!jwk.kid) throw new Error('signing key has no kid');
  const { d: _d, ...pub } = jwk;
  const privateKey = (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
  return { kid: jwk.kid, privateKey, publicJwk: { ...pub, alg: SIGNING_ALG, use: 'sig' } };
}
