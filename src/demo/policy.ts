import { createHash } from 'node:crypto';
import type { DatasetCode } from '../policy/catalog';
import { DATASETS } from '../policy/datasets';
import { DataUseApplication, SubjectConsent } from '../policy/entities';
import { Purpose } from '../policy/purposes';
import { FIXED_SUBJECT_IDS } from './fixed';

const CONDITIONAL_DATASETS = Object.keys(DATASETS) as DatasetCode[];

/** Which institution reads for which purpose in the demo. */
const CONSUMERS: Array<{ code: string; purposes: Purpose[] }> = [
  { code: 'BANK-CQCB', purposes: [Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT] },
  { code: 'BANK-CQRCB', purposes: [Purpose.LOAN_APPROVAL, Purpose.POST_LOAN_MANAGEMENT] },
  { code: 'CQ-SXG', purposes: [Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT] },
  { code: 'WZ-GUAR', purposes: [Purpose.GUARANTEE_APPROVAL, Purpose.POST_LOAN_MANAGEMENT] },
  { code: 'CQ-REGUAR', purposes: [Purpose.GUARANTEE_APPROVAL] },
  { code: 'CQ-FIN', purposes: [Purpose.SUPERVISION] },
];

/**
 * Approved data-use applications (共享申请) of every demo bank, guarantor and the regulator for every dataset,
 * and the fixed subjects' consents (授权) to the institutions the README examples use.
 */
export function demoPolicyRows(now: Date, rng: () => number): { applications: DataUseApplication[]; consents: SubjectConsent[] } {
  const day = 86_400_000;
  const uuid = () => {
    // Deterministic v4-shaped ids: the demo must be the same on every machine.
    const hex = Array.from({ length: 32 }, () => Math.floor(rng() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  const applications: DataUseApplication[] = [];
  for (const consumer of CONSUMERS) {
    for (const dataset of CONDITIONAL_DATASETS) {
      for (const purpose of consumer.purposes) {
        applications.push({
          id: uuid(),
          consumerCode: consumer.code,
          dataset,
          purpose,
          useCase: `${purpose === Purpose.SUPERVISION ? '融资担保机构监管' : purpose === Purpose.POST_LOAN_MANAGEMENT ? '贷后/保后管理' : '授信/担保审批'}：${DATASETS[dataset].name}`,
          status: 'APPROVED',
          decidedBy: DATASETS[dataset].publisher,
          decidedAt: new Date(now.getTime() - 30 * day),
          decisionReason: null,
          expiresAt: new Date(now.getTime() + 335 * day),
          createdAt: new Date(now.getTime() - 31 * day),
        } as DataUseApplication);
      }
    }
  }
  const consent = (subjectId: string, granteeCode: string, purposes: Purpose[]): SubjectConsent =>
    ({
      id: uuid(),
      subjectId,
      granteeCode,
      purposes,
      datasets: CONDITIONAL_DATASETS,
      validFrom: new Date(now.getTime() - 10 * day),
      validTo: new Date(now.getTime() + 355 * day),
      evidenceSha256: createHash('sha256').update(`授权书 ${subjectId} ${granteeCode}`).digest('hex'),
      registeredBy: granteeCode,
      registeredAt: new Date(now.getTime() - 10 * day),
      revokedAt: null,
      revokedBy: null,
      revocationReason: null,
    }) as SubjectConsent;
  const consents = [
    consent(FIXED_SUBJECT_IDS.enterprise, 'BANK-CQCB', [Purpose.LOAN_APPROVAL]),
    consent(FIXED_SUBJECT_IDS.enterprise, 'BANK-CQRCB', [Purpose.LOAN_APPROVAL]),
    consent(FIXED_SUBJECT_IDS.enterprise, 'CQ-SXG', [Purpose.GUARANTEE_APPROVAL]),
    consent(FIXED_SUBJECT_IDS.cooperative, 'WZ-GUAR', [Purpose.GUARANTEE_APPROVAL]),
    consent(FIXED_SUBJECT_IDS.cooperative, 'BANK-CQRCB', [Purpose.LOAN_APPROVAL]),
    consent(FIXED_SUBJECT_IDS.familyFarmOperator, 'BANK-CQRCB', [Purpose.LOAN_APPROVAL]),
  ];
  return { applications, consents };
}
