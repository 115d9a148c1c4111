import {
  ZERO_HASH,
  canonicalJson,
  hashRecord,
  hashedContent,
  sha256Hex,
  verifyChain,
  type AccessRecord,
  type AccessRecordInput,
} from '../src/audit/chain';

const OP_HASH = sha256Hex('query Q { subject { name } }');

function input(i: number): AccessRecordInput {
  return {
    recordType: 'READ',
    time: new Date(Date.UTC(2025, 0, 1, 8, 0, 0, i)),
    requestId: `req-${i}`,
    callerType: 'BANK',
    callerOrg: 'CQBANK01',
    callerUser: 'CQBANK01/alice',
    purpose: 'LOAN_APPROVAL',
    subjectId: '91350100M000100Y43',
    operationName: 'Q',
    operationHash: OP_HASH,
    consentIds: [`consent-${i}`],
    approvalIds: [],
    fields: [
      { dataset: 'registration', field: 'name', decision: 'ALLOW' },
      { dataset: 'tax', field: 'taxPaid', decision: 'MASK', reason: 'AMOUNT_BAND' },
      { dataset: 'judicial', field: 'cases', decision: 'DENY', reason: 'NO_CONSENT' },
    ],
  };
}

/** Builds a valid chain the way the writer does. */
function chain(n: number, chainId = 'test-chain', start = { seq: 0, hash: ZERO_HASH }): AccessRecord[] {
  const out: AccessRecord[] = [];
  let prev = start.hash;
  for (let i = 1; i <= n; i++) {
    const { detail, ...rest } = input(i);
    const r: AccessRecord = { ...rest, detail: detail ?? null, id: 100 + start.seq + i, chainId, seq: start.seq + i, prevHash: prev, hash: '' };
    r.hash = hashRecord(r);
    prev = r.hash;
    out.push(r);
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys, drops whitespace, keeps array order and writes dates as ISO-8601 UTC with ms', () => {
    expect(canonicalJson({ b: 1, a: [3, 1, { d: true, c: null }], t: new Date(Date.UTC(2025, 4, 6, 7, 8, 9, 5)) })).toBe(
      '{"a":[3,1,{"c":null,"d":true}],"b":1,"t":"2025-05-06T07:08:09.005Z"}',
    );
  });

  it('omits undefined members, encodes undefined array items as null, and escapes like JSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined], 'é': '"\n' })).toBe('{"b":[null],"é":"\\"\\n"}');
    expect(canonicalJson('信用')).toBe('"信用"');
  });

  it('sorts by UTF-16 code units (RFC 8785 order)', () => {
    expect(canonicalJson({ b: 1, B: 2, '\u00e9': 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"é":3}');
  });

  it('refuses values that would not survive a database round trip', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ n: Infinity })).toThrow(/finite/);
    expect(() => canonicalJson({ n: BigInt(1) })).toThrow(/bigint/);
    expect(() => canonicalJson({ m: new Map() })).toThrow(/Map/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson(new Date(NaN))).toThrow(/invalid Date/);
  });
});

describe('hashRecord', () => {
  const [r] = chain(1);

  it('is the sha256 hex of the canonical content without hash and id', () => {
    expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    const { hash: _h, id: _id, ...content } = r;
    expect(hashRecord({ ...content })).toBe(r.hash);
    expect(sha256Hex(canonicalJson(hashedContent(r)))).toBe(r.hash);
    expect(hashRecord({ ...r, id: 999999, hash: 'x' })).toBe(r.hash);
  });

  it('equals the canonical hash record after record, whatever the previous record was (shared members are encoded once)', () => {
    const variants: Array<Partial<AccessRecord>> = [
      {},
      { callerOrg: null, purpose: null, operationName: null },
      { callerOrg: 'BANK-OTHER', requestId: 'req-2', time: new Date(r.time.getTime() + 5) },
      {},
      { callerType: 'GUARANTOR', callerUser: 'u"quoted"\\', chainId: 'c-2', recordType: 'PUBLISH' },
      { operationHash: sha256Hex('x'), time: new Date(r.time.getTime() + 5) },
      { callerOrg: undefined as unknown as null },
      {},
    ];
    for (const v of variants) {
      const record = { ...r, ...v };
      expect(hashRecord(record)).toBe(sha256Hex(canonicalJson(hashedContent(record))));
    }
  });

  it('covers every stored field', () => {
    const changes: Array<Partial<AccessRecord>> = [
      { chainId: 'other' },
      { seq: 2 },
      { recordType: 'PUBLISH' },
      { time: new Date(r.time.getTime() + 1) },
      { requestId: 'req-x' },
      { callerType: 'GUARANTOR' },
      { callerOrg: null },
      { callerUser: 'CQBANK01/bob' },
      { purpose: 'SUPERVISION' },
      { subjectId: '11010519491231002X' },
      { operationName: null },
      { operationHash: sha256Hex('other') },
      { consentIds: [] },
      { approvalIds: ['approval-1'] },
      { fields: [{ ...r.fields[0], decision: 'DENY' }, ...r.fields.slice(1)] },
      { fields: [r.fields[1], r.fields[0], r.fields[2]] },
      { detail: { dataset: 'tax', count: 1 } },
      { prevHash: '1'.repeat(64) },
    ];
    const seen = new Set([r.hash]);
    for (const change of changes) {
      const h = hashRecord({ ...r, ...change });
      expect(seen.has(h)).toBe(false);
      seen.add(h);
    }
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and counts its records', () => {
    const result = verifyChain(chain(10));
    expect(result).toMatchObject({ ok: true, count: 10 });
    if (result.ok) expect(result.chains[0]).toMatchObject({ chainId: 'test-chain', firstSeq: 1, lastSeq: 10, records: 10 });
  });

  it('names an edited record (HASH_MISMATCH)', () => {
    const records = chain(10);
    records[4] = { ...records[4], subjectId: '11010519491231002X' };
    expect(verifyChain(records)).toMatchObject({ ok: false, problem: 'HASH_MISMATCH', seq: 5, id: 105, chainId: 'test-chain' });
  });

  it('names the record after a deleted one (SEQ_GAP)', () => {
    const records = chain(10);
    records.splice(3, 1);
    const result = verifyChain(records);
    expect(result).toMatchObject({ ok: false, problem: 'SEQ_GAP', seq: 5, id: 105 });
    if (!result.ok) expect(result.message).toMatch(/seq 4 is missing/);
  });

  it('names a deleted record that was papered over by renumbering (HASH_MISMATCH) or by re-hashing (PREV_HASH_MISMATCH)', () => {
    const renumbered = chain(10);
    renumbered.splice(3, 1);
    for (let i = 3; i < renumbered.length; i++) renumbered[i] = { ...renumbered[i], seq: i + 1 };
    expect(verifyChain(renumbered)).toMatchObject({ ok: false, problem: 'HASH_MISMATCH', seq: 4 });

    const rehashed = chain(10);
    rehashed.splice(3, 1);
    for (let i = 3; i < rehashed.length; i++) {
      rehashed[i] = { ...rehashed[i], seq: i + 1 };
      rehashed[i].hash = hashRecord(rehashed[i]);
    }
    expect(verifyChain(rehashed)).toMatchObject({ ok: false, problem: 'PREV_HASH_MISMATCH', seq: 4 });
  });

  it('names reordered records (SEQ_GAP at the one that came early) and duplicated ones (SEQ_ORDER)', () => {
    const records = chain(10);
    [records[5], records[6]] = [records[6], records[5]];
    expect(verifyChain(records)).toMatchObject({ ok: false, problem: 'SEQ_GAP', seq: 7 });
    const dup = chain(5);
    dup.splice(3, 0, dup[2]);
    expect(verifyChain(dup)).toMatchObject({ ok: false, problem: 'SEQ_ORDER', seq: 3 });
  });

  it('starts from a purge boundary', () => {
    const full = chain(10);
    const tail = full.slice(4);
    expect(verifyChain(tail)).toMatchObject({ ok: false, problem: 'SEQ_GAP', seq: 5 });
    expect(verifyChain(tail, { starts: { 'test-chain': { nextSeq: 5, prevHash: full[3].hash } } })).toMatchObject({ ok: true, count: 6 });
    expect(verifyChain(tail, { starts: { 'test-chain': { nextSeq: 5, prevHash: full[2].hash } } })).toMatchObject({
      ok: false,
      problem: 'PREV_HASH_MISMATCH',
      seq: 5,
    });
  });

  it('checks checkpoints against the record at their seq', () => {
    const records = chain(10);
    const good = { id: 1, chainId: 'test-chain', seq: 6, headHash: records[5].hash };
    const result = verifyChain(records, { checkpoints: [good] });
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.chains[0]).toMatchObject({ checkpointsMatched: 1, lastCheckpointSeq: 6 });

    expect(verifyChain(records, { checkpoints: [{ ...good, headHash: records[4].hash }] })).toMatchObject({
      ok: false,
      problem: 'CHECKPOINT_MISMATCH',
      seq: 6,
      id: 106,
      checkpointId: 1,
    });
    // A checkpoint past the end: records were cut off the end of the chain.
    expect(verifyChain(records.slice(0, 8), { checkpoints: [{ ...good, seq: 10, headHash: records[9].hash }] })).toMatchObject({
      ok: false,
      problem: 'CHECKPOINT_MISMATCH',
      seq: 10,
    });
    // A checkpoint whose signature failed is reported where it stands.
    expect(
      verifyChain(records, { checkpoints: [{ ...good, problem: { problem: 'CHECKPOINT_SIGNATURE', message: 'bad signature' } }] }),
    ).toMatchObject({ ok: false, problem: 'CHECKPOINT_SIGNATURE', seq: 6, checkpointId: 1 });
  });

  it('reports the first broken place in seq order', () => {
    const records = chain(10);
    records[7] = { ...records[7], purpose: 'SUPERVISION' };
    const cps = [{ id: 2, chainId: 'test-chain', seq: 3, headHash: '0'.repeat(64) }];
    expect(verifyChain(records, { checkpoints: cps })).toMatchObject({ problem: 'CHECKPOINT_MISMATCH', seq: 3 });
  });

  it('verifies several chains independently', () => {
    const a = chain(3, 'chain-a');
    const b = chain(4, 'chain-b');
    expect(verifyChain([a[0], b[0], a[1], b[1], b[2], a[2], b[3]])).toMatchObject({ ok: true, count: 7 });
    b[2] = { ...b[2], callerUser: 'mallory' };
    expect(verifyChain([...a, ...b])).toMatchObject({ ok: false, chainId: 'chain-b', seq: 3, problem: 'HASH_MISMATCH' });
  });
});
