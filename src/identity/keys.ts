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
 * All keys of one name (`issuer`, `gateway`, `audit`) in a keys folder, for rotation:
 *
 *   <name>.private.jwk.json         the first key (created on first use; still part of the ring)
 *   <name>.<kid>.private.jwk.json   further keys, added by `rotateKey`
 *   <name>.<kid>.public.jwk.json    verify-only keys (a host that must not sign gets only these)
 *   <name>.active                   the kid that signs; without it the newest private key (JWK `iat`) signs
 *   retired/                        keys moved here are no longer trusted for tokens and identities
 *                                   (audit checkpoints still verify with them: `loadPublicJwks(…, { includeRetired })`)
 *
 * Every non-retired key verifies, so a new key can be rolled out before it signs and an old one kept
 * until every token it signed has expired.
 */
export interface KeyRing {
  name: string;
  /** The key that signs now (undefined on a verify-only host). */
  active?: SigningKey;
  /** Public JWKs of every non-retired key, the active one included. */
  publicJwks: JWK[];
}

const KID_RE = /^[A-Za-z0-9_-]{1,80}$/;

function fileKind(name: string, file: string): { kid?: string; kind: 'legacy' | 'private' | 'public' } | undefined {
  if (file === `${name}.private.jwk.json`) return { kind: 'legacy' };
  if (!file.startsWith(`${name}.`)) return undefined;
  const m = /^(.+)\.(private|public)\.jwk\.json$/.exec(file.slice(name.length + 1));
  if (!m || !KID_RE.test(m[1])) return undefined;
  return { kid: m[1], kind: m[2] as 'private' | 'public' };
}

async function newJwk(name: string): Promise<JWK> {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = await exportJWK(privateKey);
  const created = Math.floor(Date.now() / 1000);
  jwk.kid = `${name}-${new Date(created * 1000).toISOString().slice(0, 10).replace(/-/g, '')}-${(await calculateJwkThumbprint(jwk)).slice(0, 12)}`;
  jwk.alg = SIGNING_ALG;
  jwk.use = 'sig';
  (jwk as JWK & { iat: number }).iat = created;
  return jwk;
}

/** Reads every key of `name` in `dir` (none created). */
export async function loadKeyRing(dir: string, name: string): Promise<KeyRing> {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const privates: JWK[] = [];
  const publics = new Map<string, JWK>();
  for (const file of files.sort()) {
    const kind = fileKind(name, file);
    if (!kind) continue;
    const jwk = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as JWK;
    if (!jwk.kid) throw new Error(`${path.join(dir, file)}: key has no kid`);
    if (kind.kid && jwk.kid !== kind.kid) throw new Error(`${path.join(dir, file)}: file name says kid '${kind.kid}' but the key says '${jwk.kid}'`);
    if (kind.kind === 'public') {
      if (jwk.d) throw new Error(`${path.join(dir, file)}: a .public.jwk.json file must not hold the private key`);
      publics.set(jwk.kid, publicPart(jwk));
    } else {
      privates.push(jwk);
      publics.set(jwk.kid, publicPart(jwk));
    }
  }
  const pointer = path.join(dir, `${name}.active`);
  let activeJwk: JWK | undefined;
  if (fs.existsSync(pointer)) {
    const kid = fs.readFileSync(pointer, 'utf8').trim();
    activeJwk = privates.find((k) => k.kid === kid);
    if (!activeJwk) throw new Error(`${pointer} names kid '${kid}', but no ${name}.${kid}.private.jwk.json is present`);
  } else {
    activeJwk = [...privates].sort((a, b) => iat(b) - iat(a) || String(b.kid).localeCompare(String(a.kid)))[0];
  }
  return { name, active: activeJwk ? await keyFromJwk(activeJwk) : undefined, publicJwks: [...publics.values()] };
}

function iat(jwk: JWK): number {
  return Number((jwk as JWK & { iat?: number }).iat ?? 0);
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, ...pub } = jwk;
  return { ...pub, alg: SIGNING_ALG, use: 'sig' };
}

/** Public JWKs of `name`: the trusted ones, or with `includeRetired` every key ever used (to verify old audit checkpoints). */
export async function loadPublicJwks(dir: string, name: string, opts: { includeRetired?: boolean } = {}): Promise<JWK[]> {
  const ring = await loadKeyRing(dir, name);
  if (!opts.includeRetired) return ring.publicJwks;
  const retired = await loadKeyRing(path.join(dir, 'retired'), name);
  return [...ring.publicJwks, ...retired.publicJwks.filter((r) => !ring.publicJwks.some((k) => k.kid === r.kid))];
}

/**
 * The signing key of `name`: the ring's active key, creating `<dir>/<name>.private.jwk.json` on first use
 * so a fresh clone runs without setup. Production deployments mount their own key files (mode 0600) into HUB_KEYS_DIR.
 */
export async function loadOrCreateKey(dir: string, name: string): Promise<SigningKey> {
  const ring = await loadKeyRing(dir, name);
  if (ring.active) return ring.active;
  const file = path.join(dir, `${name}.private.jwk.json`);
  let jwk = await newJwk(name);
  fs.mkdirSync(dir, { recursive: true });
  // wx: two processes starting at once must not overwrite each other's fresh key.
  try {
    fs.writeFileSync(file, JSON.stringify(jwk, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    jwk = JSON.parse(fs.readFileSync(file, 'utf8')) as JWK;
  }
  return keyFromJwk(jwk);
}

/**
 * Adds a new key to the ring. With `activate` (default) it signs from now on (`<name>.active`); without,
 * it is only trusted — roll it out to every verifier first, then activate it with `activateKey`.
 */
export async function rotateKey(dir: string, name: string, opts: { activate?: boolean } = {}): Promise<string> {
  const jwk = await newJwk(name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.${jwk.kid}.private.jwk.json`), JSON.stringify(jwk, null, 2), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(path.join(dir, `${name}.${jwk.kid}.public.jwk.json`), JSON.stringify(publicPart(jwk), null, 2), { mode: 0o644, flag: 'wx' });
  if (opts.activate !== false) activateKey(dir, name, jwk.kid!);
  return jwk.kid!;
}

/** Makes `kid` the signing key of `name` (written atomically: temp file, then rename). */
export function activateKey(dir: string, name: string, kid: string): void {
  if (!KID_RE.test(kid) || !fs.existsSync(path.join(dir, `${name}.${kid}.private.jwk.json`))) throw new Error(`no private key ${name}.${kid} in ${dir}`);
  const tmp = path.join(dir, `.${name}.active.${process.pid}`);
  fs.writeFileSync(tmp, kid + '\n');
  fs.renameSync(tmp, path.join(dir, `${name}.active`));
}

/** Moves every file of key `kid` into `<dir>/retired/`: it no longer verifies tokens or identities. The active key cannot be retired. */
export async function retireKey(dir: string, name: string, kid: string): Promise<string[]> {
  const ring = await loadKeyRing(dir, name);
  if (ring.active?.kid === kid) throw new Error(`${name} key ${kid} is the active signing key; rotate first`);
  const moved: string[] = [];
  fs.mkdirSync(path.join(dir, 'retired'), { recursive: true });
  for (const file of fs.readdirSync(dir)) {
    const kind = fileKind(name, file);
    if (!kind) continue;
    const fileKid = kind.kid ?? (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as JWK).kid;
    if (fileKid !== kid) continue;
    fs.renameSync(path.join(dir, file), path.join(dir, 'retired', file));
    moved.push(file);
  }
  if (!moved.length) throw new Error(`no ${name} key with kid ${kid} in ${dir}`);
  return moved;
}

/**
 * A key ring re-read from disk at most every `refreshMs`, and on demand when a token names an unknown
 * kid (at most once per second), so rotation needs no restart.
 */
export class KeyRingCache {
  private ring?: Promise<KeyRing>;
  private loadedAt = 0;

  constructor(
    private readonly dir: string,
    private readonly name: string,
    private readonly opts: { create?: boolean; refreshMs?: number } = {},
  ) {}

  async get(opts: { forKid?: string } = {}): Promise<KeyRing> {
    const age = Date.now() - this.loadedAt;
    let ring = this.ring && age < (this.opts.refreshMs ?? 30_000) ? await this.ring : undefined;
    if (ring && opts.forKid && !ring.publicJwks.some((k) => k.kid === opts.forKid) && age > 1000) ring = undefined;
    if (ring) return ring;
    this.loadedAt = Date.now();
    this.ring = (async () => {
      if (this.opts.create) await loadOrCreateKey(this.dir, this.name);
      return loadKeyRing(this.dir, this.name);
    })();
    this.ring.catch(() => {
      this.ring = undefined;
      this.loadedAt = 0;
    });
    return this.ring;
  }
}

export async function keyFromJwk(jwk: JWK): Promise<SigningKey> {
  if (!jwk.kid) throw new Error('signing key has no kid');
  const privateKey = (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
  return { kid: jwk.kid, privateKey, publicJwk: publicPart(jwk) };
}
