import { Enterprise, AgriEntity } from '../src/registry/entities';
import { Institution } from '../src/sharing/entities';
import { startHardenedHub, type HardenedHub } from './support/hardening';
import { fetchSchema, rootOperations } from './support/schema-ops';

/** SQL-injection strings in every string argument of every root field are data: refused as invalid or stored verbatim, never executed. */
const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE registry_enterprise; --",
  '" OR 1=1 --',
  "91350100M000100Y43' UNION SELECT name, id FROM sharing_institution --",
  "1); DELETE FROM ops_quota_counter; --",
  "\\'; SELECT sleep(5); --",
  "%' AND 1=0 UNION ALL SELECT NULL --",
  "\u0000' OR ''='",
];

describe('SQL injection in every string argument', () => {
  let hub: HardenedHub;
  beforeAll(async () => {
    hub = await startHardenedHub('hard_inject', { env: { HUB_RATE_LIMIT_RPS: '0', HUB_QUOTA_SUBJECTS_PER_DAY: '0' } });
  });
  afterAll(() => hub?.stop());

  it('is treated as data by every root field, for several caller types', async () => {
    const counts = async () => [
      await hub.db.dataSource.getRepository(Enterprise).count(),
      await hub.db.dataSource.getRepository(AgriEntity).count(),
      await hub.db.dataSource.getRepository(Institution).count(),
    ];
    const before = await counts();
    const schema = await fetchSchema(hub.url, await hub.token({ org: 'HUB-OPS' }));
    const ops = rootOperations(schema);
    expect(ops.length).toBeGreaterThan(15);
    let requests = 0;
    const problems: string[] = [];
    for (const org of ['BANK-CQCB', 'CQ-TAX', 'HUB-OPS']) {
      for (const op of ops) {
        for (const inj of INJECTIONS) {
          const res = await hub.query(op.document, op.variables(() => inj), { org, purpose: 'LOAN_APPROVAL' });
          requests++;
          const codes = (res.body.errors ?? []).map((e) => e.extensions?.code);
          const text = JSON.stringify(res.body.errors ?? []);
          if (res.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR') || /SQLITE_|\bER_[A-Z_]+|SQL syntax|QueryFailed/.test(text) || /syntax error/i.test(text)) {
            problems.push(`${org} ${op.field} ${JSON.stringify(inj)} → ${res.status} ${text.slice(0, 300)}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(requests).toBeGreaterThan(300);
    expect(await counts()).toEqual(before);
    // Where a string is stored, it is stored verbatim.
    const applied = await hub.query<{ applyForDataUse: { useCase: string } }>(
      `mutation($u: String!) { applyForDataUse(dataset: "TAX_CREDIT", purpose: LOAN_APPROVAL, useCase: $u) { useCase } }`,
      { u: INJECTIONS[1] },
      { org: 'BANK-CQCB' },
    );
    if (applied.body.data) expect(applied.body.data.applyForDataUse.useCase).toBe(INJECTIONS[1]);
  });
});
