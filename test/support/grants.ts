import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/datasource';
import { insertRows } from '../../src/db/bulk';
import type { DatasetCode } from '../../src/policy/catalog';
import { DATASETS } from '../../src/policy/datasets';
import { DataUseApplication, SubjectConsent } from '../../src/policy/entities';
import { Purpose } from '../../src/policy/purposes';

const ALL_DATASETS = Object.keys(DATASETS) as DatasetCode[];

/**
 * Gives an institution everything the policy asks for before it shares conditional data: approved
 * applications for every dataset and the subjects' consents — for suites that test loading, not policy.
 */
export async function grantAll(db: Database, orgCode: string, purpose: Purpose, subjectIds: readonly string[]): Promise<void> {
  const now = Date.now();
  const year = 365 * 86_400_000;
  await insertRows(
    db.dataSource.manager,
    DataUseApplication,
    ALL_DATASETS.map(
      (dataset) =>
        ({
          id: randomUUID(),
          consumerCode: orgCode,
          dataset,
          purpose,
          useCase: 'test',
          status: 'APPROVED',
          decidedBy: DATASETS[dataset].publisher,
          decidedAt: new Date(now - 1000),
          decisionReason: null,
          expiresAt: new Date(now + year),
          createdAt: new Date(now - 2000),
        }) as DataUseApplication,
    ),
  );
  if (purpose === Purpose.SUPERVISION || purpose === Purpose.POST_LOAN_MANAGEMENT) return;
  await insertRows(
    db.dataSource.manager,
    SubjectConsent,
    subjectIds.map(
      (subjectId) =>
        ({
          id: randomUUID(),
          subjectId,
          granteeCode: orgCode,
          purposes: [purpose],
          datasets: ALL_DATASETS,
          validFrom: new Date(now - 60_000),
          validTo: new Date(now + year),
          evidenceSha256: createHash('sha256').update(subjectId).digest('hex'),
          registeredBy: orgCode,
          registeredAt: new Date(now - 60_000),
          revokedAt: null,
          revokedBy: null,
          revocationReason: null,
        }) as SubjectConsent,
    ),
  );
}
