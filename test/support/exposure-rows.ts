import type { Database } from '../../src/db/datasource';
import { insertRows } from '../../src/db/bulk';
import { completeUscc } from '../../src/identifiers';
import { Compensation, Guarantee, GuaranteeStatus, Loan, LoanStatus } from '../../src/exposure/entities';
import type { CompensationRow, GuaranteeRow, LoanRow } from '../../src/exposure/demo';
import { Institution } from '../../src/sharing/entities';
import { CallerType, GuarantorLevel } from '../../src/identity/caller';

/** Test-only helpers for the cross-check and supervision suites: dedicated institutions, subjects and contracts inserted directly. */
export const WAN = 1_000_000; // 1 万元 in fen
export const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
/** A valid USCC in a numbering range no demo subject uses. */
export const testSubject = (series: number, i: number) => completeUscc(`91500107MA${series}${String(i).padStart(5, '0')}`);
export const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

let seq = 0;

export function loanRow(subjectId: string, bankCode: string, patch: Partial<LoanRow> = {}): LoanRow {
  const contractNo = patch.contractNo ?? `${bankCode}-L-${++seq}`;
  return {
    contractNo,
    bankCode,
    subjectId,
    amount: 100 * WAN,
    balance: 100 * WAN,
    startDate: day(-100),
    maturityDate: day(265),
    status: LoanStatus.NORMAL,
    overdueDays: 0,
    overdueAmount: 0,
    interestRate: 3.85,
    usage: '流动资金',
    guaranteeContractNo: null,
    reportedAt: new Date(),
    sourceRecordId: `LN-${contractNo}`,
    version: 1,
    current: true,
    ...patch,
  };
}

export function guaranteeRow(subjectId: string, guarantorCode: string, bankCode: string, patch: Partial<GuaranteeRow> = {}): GuaranteeRow {
  const contractNo = patch.contractNo ?? `${guarantorCode}-G-${++seq}`;
  return {
    contractNo,
    guarantorCode,
    bankCode,
    subjectId,
    amount: 100 * WAN,
    balance: 100 * WAN,
    startDate: day(-100),
    endDate: day(265),
    status: GuaranteeStatus.ACTIVE,
    feeRate: 0.8,
    bankShare: 20,
    guarantorShare: 40,
    reguaranteeShare: 20,
    nationalFundShare: 20,
    reguarantorCode: 'CQ-REGUAR',
    smallMicroAgri: true,
    reportedAt: new Date(),
    sourceRecordId: `GT-${contractNo}`,
    version: 1,
    current: true,
    ...patch,
  };
}

export function compensationRow(g: GuaranteeRow, patch: Partial<CompensationRow> = {}): CompensationRow {
  return {
    guaranteeContractNo: g.contractNo,
    guarantorCode: g.guarantorCode,
    bankCode: g.bankCode,
    subjectId: g.subjectId,
    amount: Math.round(g.amount * 0.8),
    paidOn: day(-10),
    recoveredAmount: 0,
    reportedAt: new Date(),
    sourceRecordId: `DC-${g.contractNo}-${++seq}`,
    version: 1,
    current: true,
    ...patch,
  };
}

export async function insertExposure(db: Database, rows: { loans?: LoanRow[]; guarantees?: GuaranteeRow[]; compensations?: CompensationRow[] }): Promise<void> {
  const m = db.dataSource.manager;
  if (rows.loans?.length) await insertRows(m, Loan, rows.loans as Loan[]);
  if (rows.guarantees?.length) await insertRows(m, Guarantee, rows.guarantees as Guarantee[]);
  if (rows.compensations?.length) await insertRows(m, Compensation, rows.compensations as Compensation[]);
}

export async function registerInstitutions(
  db: Database,
  list: Array<{ code: string; type: CallerType; regionCode: string; guarantorLevel?: GuarantorLevel }>,
): Promise<void> {
  await insertRows(
    db.dataSource.manager,
    Institution,
    list.map((i) => ({ code: i.code, name: `测试机构 ${i.code}`, type: i.type, guarantorLevel: i.guarantorLevel ?? null, regionCode: i.regionCode, uscc: null, status: 'ACTIVE', createdAt: new Date() }) as Institution),
  );
}
