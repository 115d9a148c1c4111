import {
  IdCheck,
  IdRule,
  InvalidIdentifierError,
  assertSubjectId,
  checkResidentId,
  checkSubjectId,
  checkUscc,
  completeResidentId,
  completeUscc,
} from '../src/identifiers';

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const VALID_USCC = '91350100M000100Y43';
const VALID_RESIDENT = '11010519491231002X';
const TODAY = new Date('2024-06-15T12:00:00Z');

function expectRule(r: IdCheck, rule: IdRule): void {
  expect(r).toMatchObject({ ok: false, rule });
  if (!r.ok) expect(r.message.length).toBeGreaterThan(10);
}

function replaceAt(s: string, pos1: number, ch: string): string {
  return s.slice(0, pos1 - 1) + ch + s.slice(pos1);
}

/** Deterministic LCG (Numerical Recipes constants) so property loops are reproducible without deps. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

describe('checkUscc', () => {
  it.each([VALID_USCC, '91500103MA5U7K3D1E', '93500101MA60QR2L82'])('accepts worked example %s', (id) => {
    expect(checkUscc(id)).toEqual({ ok: true, kind: 'USCC', id });
  });

  it('normalizes whitespace and case', () => {
    expect(checkUscc('  91500103ma5u7k3d1e\u3000')).toEqual({ ok: true, kind: 'USCC', id: '91500103MA5U7K3D1E' });
  });

  it('rejects empty input', () => {
    expectRule(checkUscc(''), 'EMPTY');
    expectRule(checkUscc('   '), 'EMPTY');
  });

  it('rejects 17 and 19 characters', () => {
    expectRule(checkUscc(VALID_USCC.slice(0, 17)), 'LENGTH');
    expectRule(checkUscc(VALID_USCC + '0'), 'LENGTH');
  });

  it.each(['I', 'O', 'S', 'V', 'Z'])('rejects excluded letter %s', (ch) => {
    const r = checkUscc(replaceAt(VALID_USCC, 10, ch));
    expectRule(r, 'USCC_CHARSET');
    if (!r.ok) expect(r.message).toContain(`'${ch}'`);
  });

  it('rejects punctuation as charset error', () => {
    expectRule(checkUscc(replaceAt(VALID_USCC, 1, '-')), 'USCC_CHARSET');
  });

  it('requires a numeric administrative division code', () => {
    expectRule(checkUscc(replaceAt(VALID_USCC, 5, 'A')), 'USCC_DIVISION_CODE');
  });

  it('detects a typo inside the embedded organization code', () => {
    const r = checkUscc(replaceAt(VALID_USCC, 12, '1')); // org body M000100Y -> M001100Y
    expectRule(r, 'USCC_ORG_CODE_CHECK');
    expectRule(checkUscc(replaceAt(VALID_USCC, 17, '5')), 'USCC_ORG_CODE_CHECK');
  });

  it('reports the expected check digit', () => {
    const r = checkUscc(replaceAt(VALID_USCC, 18, 'Y'));
    expect(r).toEqual({
      ok: false,
      rule: 'USCC_CHECK_DIGIT',
      message: "USCC check digit (GB 32100-2015) should be '3', got 'Y'",
    });
  });

  it('rejects every wrong character at position 18', () => {
    const wrong = [...USCC_CHARSET].filter((c) => c !== VALID_USCC[17]);
    expect(wrong).toHaveLength(30);
    for (const c of wrong) expectRule(checkUscc(replaceAt(VALID_USCC, 18, c)), 'USCC_CHECK_DIGIT');
  });
});

describe('checkResidentId', () => {
  it.each([VALID_RESIDENT, '500233198506123415'])('accepts worked example %s', (id) => {
    expect(checkResidentId(id, TODAY)).toEqual({ ok: true, kind: 'RESIDENT_ID', id });
  });

  it('normalizes lowercase x', () => {
    expect(checkResidentId(' 11010519491231002x ', TODAY)).toEqual({ ok: true, kind: 'RESIDENT_ID', id: VALID_RESIDENT });
  });

  it('rejects empty and wrong length', () => {
    expectRule(checkResidentId('', TODAY), 'EMPTY');
    expectRule(checkResidentId(VALID_RESIDENT.slice(0, 17), TODAY), 'LENGTH');
    expectRule(checkResidentId(VALID_RESIDENT + '1', TODAY), 'LENGTH');
  });

  it('rejects non-digits', () => {
    expectRule(checkResidentId(replaceAt(VALID_RESIDENT, 5, 'A'), TODAY), 'RESIDENT_ID_FORMAT');
    expectRule(checkResidentId(replaceAt(VALID_RESIDENT, 18, 'Y'), TODAY), 'RESIDENT_ID_FORMAT');
  });

  it.each(['0', '9'])('rejects region starting with %s', (d) => {
    const id = completeResidentId(d + '1010519491231002');
    expectRule(checkResidentId(id, TODAY), 'RESIDENT_ID_REGION');
  });

  it('rejects 1999-02-30 even with a correct check character', () => {
    const id = completeResidentId('11010519990230002');
    const r = checkResidentId(id, TODAY);
    expectRule(r, 'RESIDENT_ID_BIRTH_DATE');
    if (!r.ok) expect(r.message).not.toContain('19990230'); // no PII in messages
  });

  it('handles leap years', () => {
    expect(checkResidentId(completeResidentId('11010520000229002'), TODAY).ok).toBe(true);
    expectRule(checkResidentId(completeResidentId('11010519000229002'), TODAY), 'RESIDENT_ID_BIRTH_DATE');
  });

  it('rejects years before 1900 and month 13', () => {
    expectRule(checkResidentId(completeResidentId('11010518991231002'), TODAY), 'RESIDENT_ID_BIRTH_DATE');
    expectRule(checkResidentId(completeResidentId('11010519491301002'), TODAY), 'RESIDENT_ID_BIRTH_DATE');
  });

  it('rejects future birth dates relative to injected today (China Standard Time)', () => {
    const id = completeResidentId('11010520240616002');
    expectRule(checkResidentId(id, TODAY), 'RESIDENT_ID_BIRTH_DATE');
    // 2024-06-15T16:30Z is already 2024-06-16 00:30 in Beijing.
    expect(checkResidentId(id, new Date('2024-06-15T16:30:00Z')).ok).toBe(true);
    expect(checkResidentId(completeResidentId('11010520240615002'), TODAY).ok).toBe(true);
  });

  it('reports the wrong check character', () => {
    expect(checkResidentId(replaceAt(VALID_RESIDENT, 18, '0'), TODAY)).toEqual({
      ok: false,
      rule: 'RESIDENT_ID_CHECK_DIGIT',
      message: "Resident ID check character (GB 11643-1999, ISO 7064 MOD 11-2) should be 'X', got '0'",
    });
  });
});

describe('checkSubjectId / assertSubjectId', () => {
  it('detects both kinds', () => {
    expect(checkSubjectId(VALID_USCC, TODAY)).toMatchObject({ ok: true, kind: 'USCC' });
    expect(checkSubjectId('11010519491231002x', TODAY)).toEqual({ ok: true, kind: 'RESIDENT_ID', id: VALID_RESIDENT });
  });

  it('reports the resident-ID failure for resident-shaped input', () => {
    expectRule(checkSubjectId(replaceAt(VALID_RESIDENT, 18, '0'), TODAY), 'RESIDENT_ID_CHECK_DIGIT');
  });

  it('reports the USCC failure otherwise', () => {
    expectRule(checkSubjectId(replaceAt(VALID_USCC, 18, 'Y'), TODAY), 'USCC_CHECK_DIGIT');
    expectRule(checkSubjectId(replaceAt(VALID_USCC, 3, 'I'), TODAY), 'USCC_CHARSET');
    expectRule(checkSubjectId('12345', TODAY), 'LENGTH');
    expectRule(checkSubjectId(' ', TODAY), 'EMPTY');
  });

  it('accepts an all-digit USCC that is not a resident ID', () => {
    let found: string | undefined;
    for (let n = 0; n < 1000 && !found; n++) {
      const id = completeUscc('91350100' + String(n).padStart(8, '0'));
      if (/^\d{18}$/.test(id)) found = id;
    }
    expect(found).toBeDefined();
    expect(checkSubjectId(found!, TODAY)).toEqual({ ok: true, kind: 'USCC', id: found });
  });

  it('assertSubjectId returns or throws with rule and input', () => {
    expect(assertSubjectId(' 91350100m000100y43 ', TODAY)).toEqual({ kind: 'USCC', id: VALID_USCC });
    const bad = replaceAt(VALID_USCC, 18, 'Y');
    let err: unknown;
    try {
      assertSubjectId(bad, TODAY);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidIdentifierError);
    expect(err).toBeInstanceOf(Error);
    const e = err as InvalidIdentifierError;
    expect(e.rule).toBe('USCC_CHECK_DIGIT');
    expect(e.input).toBe(bad);
    expect(e.name).toBe('InvalidIdentifierError');
    expect(e.message).toBe("USCC check digit (GB 32100-2015) should be '3', got 'Y'");
  });
});

describe('builders', () => {
  it('reproduce the worked examples', () => {
    for (const id of [VALID_USCC, '91500103MA5U7K3D1E', '93500101MA60QR2L82']) {
      expect(completeUscc(id.slice(0, 16))).toBe(id);
    }
    expect(completeResidentId('11010519491231002')).toBe(VALID_RESIDENT);
    expect(completeResidentId('50023319850612341')).toBe('500233198506123415');
  });

  it('completeUscc rejects bad prefixes', () => {
    expect(() => completeUscc('91350100M000100')).toThrow(InvalidIdentifierError);
    expect(() => completeUscc('91350100M000100I')).toThrow(/charset/);
    expect(() => completeUscc('9135O100M000100Y')).toThrow(InvalidIdentifierError);
    expect(() => completeUscc('913501A0M000100Y')).toThrow(/division/);
  });

  it('completeResidentId rejects non-digit prefixes', () => {
    expect(() => completeResidentId('1101051949123100X')).toThrow(InvalidIdentifierError);
    expect(() => completeResidentId('1101051949123100')).toThrow(InvalidIdentifierError);
  });

  it('500 random USCC bodies complete to valid ids (incl. X and 0 org checks)', () => {
    const rnd = lcg(20240615);
    const pick = (chars: string) => chars[Math.floor(rnd() * chars.length)];
    const orgChecks = new Set<string>();
    for (let n = 0; n < 500; n++) {
      let prefix = pick(USCC_CHARSET) + pick(USCC_CHARSET);
      for (let i = 0; i < 6; i++) prefix += pick('0123456789');
      for (let i = 0; i < 8; i++) prefix += pick(USCC_CHARSET);
      const id = completeUscc(prefix);
      orgChecks.add(id[16]);
      expect(checkUscc(id)).toEqual({ ok: true, kind: 'USCC', id });
      expect(checkSubjectId(id, TODAY).ok).toBe(true);
    }
    expect(orgChecks.has('X')).toBe(true);
    expect(orgChecks.has('0')).toBe(true);
  });

  it('500 random resident bodies complete to valid ids', () => {
    const rnd = lcg(11643);
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const checks = new Set<string>();
    for (let n = 0; n < 500; n++) {
      const region = String(int(1, 8)) + pad(int(0, 99999), 5);
      const birth = new Date(Date.UTC(1900, 0, 1) + rnd() * (Date.UTC(2024, 5, 15) - Date.UTC(1900, 0, 1)));
      const date = pad(birth.getUTCFullYear(), 4) + pad(birth.getUTCMonth() + 1, 2) + pad(birth.getUTCDate(), 2);
      const id = completeResidentId(region + date + pad(int(0, 999), 3));
      checks.add(id[17]);
      expect(checkResidentId(id, TODAY)).toEqual({ ok: true, kind: 'RESIDENT_ID', id });
      expect(checkSubjectId(id.toLowerCase(), TODAY)).toEqual({ ok: true, kind: 'RESIDENT_ID', id });
    }
    expect(checks.has('X')).toBe(true);
  });
});
