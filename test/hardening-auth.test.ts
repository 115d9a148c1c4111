import fs from 'node:fs';
import path from 'node:path';
import { SignJWT, UnsecuredJWT, generateKeyPair, exportJWK, type CryptoKey } from 'jose';
import { signCallerToken } from '../src/identity/caller';
import { GatewayIdentity } from '../src/identity/gateway-identity';
import { loadKeyRing, loadOrCreateKey, loadPublicJwks, retireKey, rotateKey } from '../src/identity/keys';
import { CallerType } from '../src/identity/caller';
import { startHardenedHub, type HardenedHub } from './support/hardening';
import { tempKeysDir } from './support/db';

/** Tokens that must fail, and key rotation for the issuer and the gateway identity (several kids at once, old ones retired). */
describe('caller tokens and signing-key rotation', () => {
  let hub: HardenedHub;
  beforeAll(async () => {
    hub = await startHardenedHub('hard_auth', { topology: 'multi-process', env: { HUB_JWT_CLOCK_TOLERANCE: '0' } });
  });
  afterAll(() => hub?.stop());

  const me = (token: string) => hub.query<{ me: { code: string } }>(`{ me { code } }`, {}, { token });
  const refused = async (token: string, reason: RegExp) => {
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.body.errors![0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(res.body.errors![0].message).toMatch(reason);
    expect(res.body.data).toBeUndefined();
  };

  it('accepts a valid token', async () => {
    const res = await me(await hub.token({ org: 'BANK-CQCB' }));
    expect(res.body.data?.me.code).toBe('BANK-CQCB');
  });

  it('refuses forged, expired, alg:none, wrong-audience, wrong-issuer and HS256 key-confusion tokens', async () => {
    const issuer = await loadOrCreateKey(hub.config.keysDir, 'issuer');
    const other = await generateKeyPair('ES256');
    const claims = { org: 'BANK-CQCB' };
    const base = (key: CryptoKey | Uint8Array, alg = 'ES256', kid = issuer.kid) =>
      new SignJWT(claims).setProtectedHeader({ alg, kid }).setIssuer(hub.config.issuer).setAudience(hub.config.audience).setSubject('u').setIssuedAt().setExpirationTime('5m').sign(key);
    await refused(await base(other.privateKey), /signature/);
    await refused(await signCallerToken(issuer, hub.config, { org: 'BANK-CQCB', ttlSeconds: -10 }), /expired|exp/);
    await refused(new UnsecuredJWT(claims).setIssuer(hub.config.issuer).setAudience(hub.config.audience).setSubject('u').setIssuedAt().setExpirationTime('5m').encode(), /algorithm|malformed/);
    await refused(await signCallerToken(issuer, { issuer: hub.config.issuer, audience: 'another-api' }, claims), /aud/);
    await refused(await signCallerToken(issuer, { issuer: 'someone-else', audience: hub.config.audience }, claims), /iss/);
    // HS256 signed with the public key as the secret (key confusion).
    const secret = new TextEncoder().encode(JSON.stringify(issuer.publicJwk));
    await refused(await base(secret, 'HS256'), /algorithm/);
    // Tampered payload, original signature.
    const good = await signCallerToken(issuer, hub.config, { org: 'BANK-CQCB' });
    const [h, , sig] = good.split('.');
    const evil = Buffer.from(JSON.stringify({ org: 'CQ-FIN', sub: 'x', iss: hub.config.issuer, aud: hub.config.audience, iat: 1, exp: 9999999999 })).toString('base64url');
    await refused(`${h}.${evil}.${sig}`, /signature/);
  });

  it('refuses a token replayed after it expired', async () => {
    const issuer = await loadOrCreateKey(hub.config.keysDir, 'issuer');
    const token = await new SignJWT({ org: 'BANK-CQCB' })
      .setProtectedHeader({ alg: 'ES256', kid: issuer.kid })
      .setIssuer(hub.config.issuer)
      .setAudience(hub.config.audience)
      .setSubject('u')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(issuer.privateKey);
    expect((await me(token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    await refused(token, /expired/);
  });

  it('rotates the issuer key: old and new kids verify at once; a retired kid no longer does', async () => {
    const oldKey = await loadOrCreateKey(hub.config.keysDir, 'issuer');
    const oldToken = await signCallerToken(oldKey, hub.config, { org: 'BANK-CQCB' });
    const newKid = rotateKey(hub.config.keysDir, 'issuer');
    const kid = await newKid;
    const ring = await loadKeyRing(hub.config.keysDir, 'issuer');
    expect(ring.active?.kid).toBe(kid);
    expect(ring.publicJwks.map((k) => k.kid).sort()).toEqual([oldKey.kid, kid].sort());
    const newToken = await signCallerToken(ring.active!, hub.config, { org: 'BANK-CQCB' });
    expect((await me(newToken)).status).toBe(200); // unknown kid → the ring is re-read
    expect((await me(oldToken)).status).toBe(200);
    await expect(retireKey(hub.config.keysDir, 'issuer', kid)).rejects.toThrow(/active/);
    await retireKey(hub.config.keysDir, 'issuer', oldKey.kid);
    await new Promise((r) => setTimeout(r, 1100));
    // Force a re-read: a token with an unknown kid, then the old one.
    await me(await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'nobody' }).sign((await generateKeyPair('ES256')).privateKey));
    await refused(oldToken, /key the hub does not know|signature/);
    expect((await me(newToken)).status).toBe(200);
    // Audit-style verification can still see retired keys.
    expect((await loadPublicJwks(hub.config.keysDir, 'issuer', { includeRetired: true })).map((k) => k.kid)).toContain(oldKey.kid);
  });

  it('rotates the gateway identity key while the subgraph services run', async () => {
    const before = await hub.query(`query($id: String!) { subject(id: $id) { id taxRecords { taxYear } } }`, { id: '91350100M000100Y43' }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    const kid = await rotateKey(hub.config.keysDir, 'gateway');
    await new Promise((r) => setTimeout(r, 1100));
    // The gateway signs with the new kid after its cache refreshes; force it with a fresh GatewayIdentity as a second gateway would.
    const fresh = await GatewayIdentity.create(hub.config.keysDir, 60);
    const signed = await fresh.sign({ caller: { type: CallerType.BANK, orgCode: 'BANK-CQCB', userId: 'u' }, requestId: 'r1' });
    expect(JSON.parse(Buffer.from(signed.split('.')[0], 'base64url').toString()).kid).toBe(kid);
    const res = await fetch(hub.subgraphs.sharing!.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-identity': signed }, body: JSON.stringify({ query: '{ me { code } }' }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { me: { code: string } } }).data.me.code).toBe('BANK-CQCB');
    // A subgraph refuses an identity signed by a key not in the ring, and no identity at all.
    const foreign = await new SignJWT({ caller: { type: 'OPERATOR', userId: 'x' }, rid: 'r' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer('zyd-hub-gateway')
      .setAudience('zyd-hub-subgraphs')
      .setExpirationTime('1m')
      .sign((await generateKeyPair('ES256')).privateKey);
    const forged = await fetch(hub.subgraphs.sharing!.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-identity': foreign }, body: JSON.stringify({ query: '{ me { code } }' }) });
    expect(forged.status).toBe(401);
    // Through the gateway, answers stay the same.
    const after = await hub.query(`query($id: String!) { subject(id: $id) { id taxRecords { taxYear } } }`, { id: '91350100M000100Y43' }, { org: 'BANK-CQCB', purpose: 'LOAN_APPROVAL' });
    expect(after.body).toEqual(before.body);
  });

  it('key files: names carry the kid, private files are 0600, a public file never holds the private half', async () => {
    const dir = tempKeysDir();
    await loadOrCreateKey(dir, 'audit');
    const kid = await rotateKey(dir, 'audit');
    expect(fs.statSync(path.join(dir, `audit.${kid}.private.jwk.json`)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(path.join(dir, `audit.${kid}.public.jwk.json`), 'utf8')).d).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'audit.active'), 'utf8').trim()).toBe(kid);
    const pub = await exportJWK((await generateKeyPair('ES256')).publicKey);
    fs.writeFileSync(path.join(dir, 'audit.ext-1.public.jwk.json'), JSON.stringify({ ...pub, kid: 'ext-1' }));
    expect((await loadKeyRing(dir, 'audit')).publicJwks).toHaveLength(3);
  });
});

/** The verifier remembers tokens that verified (by their exact text and key set): the clock still decides, forgeries still fail. */
describe('verified-token memory', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a repeated token from memory, still refuses it once expired, and never lets a tampered copy through', async () => {
    const { CallerTokenVerifier } = await import('../src/identity/caller');
    const { loadConfig } = await import('../src/config');
    const config = { ...loadConfig({}), keysDir: tempKeysDir(), jwtClockToleranceSeconds: 0 };
    const verifier = await CallerTokenVerifier.create(config);
    const token = await signCallerToken(await loadOrCreateKey(config.keysDir, 'issuer'), config, { org: 'BANK-CQCB', ttlSeconds: 10 });
    const first = await verifier.verify(token);
    expect(first.org).toBe('BANK-CQCB');
    // The same claims object again: answered from memory, not re-verified.
    expect(await verifier.verify(token)).toBe(first);
    // A copy with one signature character changed is a different text: verified, and refused.
    const [h, p, sig] = token.split('.');
    const tampered = `${h}.${p}.${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    await expect(verifier.verify(tampered)).rejects.toThrow(/signature|malformed/);
    // So is a token whose claims were edited under the genuine signature.
    const edited = `${h}.${Buffer.from(JSON.stringify({ ...first, org: 'BANK-CQRCB' })).toString('base64url')}.${sig}`;
    await expect(verifier.verify(edited)).rejects.toThrow(/signature/);
    // Past its expiry the remembered token is refused like any other.
    // (11 s later: inside the key ring's 30 s refresh, so the memory is what answers.)
    jest.useFakeTimers({ now: Date.now() + 11_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await expect(verifier.verify(token)).rejects.toThrow(/expired/);
  });
});
