import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The raw floor: the one-subject credit report (the same JSON the hub returns for bench/queries.ts
 * ONE_SUBJECT_REPORT) from a bare `node:http` handler with hand-written SQL — no GraphQL, no token
 * check, no policy, no access log. What this workload costs on this machine at the least.
 *
 *   node dist/bench/raw-floor.js <database-url> <caller-bank-code> [one-round-trip]
 *
 * MySQL/MariaDB through a mysql2 pool (server-side prepared statements), SQLite through better-sqlite3.
 * `one-round-trip` (MySQL/MariaDB): the 13 statements go to the server as one multi-statement query — what
 * the hub does with the small reads of one event-loop turn (src/db/fast-read.ts), so the floor keeps up.
 * Forked by bench/run.ts; answers `stats` messages over IPC like bench/hub-process.ts.
 */

const fenToYuan = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  const fen = Number(value);
  const abs = Math.abs(fen);
  return `${fen < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
};
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const bool = (v: unknown): boolean => v === true || v === 1 || v === '1';

const SQL = {
  enterprise: `SELECT id, name, kind, region_code, legal_representative, registered_capital_fen, established_on, industry_code, industry_name, status, scale
                 FROM registry_enterprise WHERE id = ?`,
  agri: `SELECT id, name, kind, region_code, operator_name, village, land_area_mu, main_products, registered_on FROM registry_agri_entity WHERE id = ?`,
  tax: `SELECT tax_year, rating, tax_paid_fen, vat_paid_fen, tax_arrears_fen, data_as_of FROM credit_tax_record
         WHERE subject_id = ? AND current = 1 AND retracted_at IS NULL ORDER BY data_as_of DESC, id DESC`,
  social: `SELECT period, insured_headcount, paid_base_total_fen, arrears_fen, arrears_months, data_as_of FROM credit_social_insurance_record
            WHERE subject_id = ? AND current = 1 AND retracted_at IS NULL ORDER BY data_as_of DESC, id DESC`,
  judicial: `SELECT case_number, case_type, role, status, amount_involved_fen, filed_on, closed_on, dishonest_listed, data_as_of FROM credit_judicial_record
              WHERE subject_id = ? AND current = 1 AND retracted_at IS NULL ORDER BY data_as_of DESC, id DESC`,
  penalty: `SELECT decision_number, penalty_type, reason, fine_amount_fen, decided_on, data_as_of FROM credit_penalty_record
             WHERE subject_id = ? AND current = 1 AND retracted_at IS NULL ORDER BY data_as_of DESC, id DESC`,
  land: `SELECT certificate_number, area_mu, land_type, contract_end_on, data_as_of FROM credit_land_contract_right
          WHERE subject_id = ? AND current = 1 AND retracted_at IS NULL ORDER BY data_as_of DESC, id DESC`,
  insurance: `SELECT policy_number, insured_item, insured_amount_fen, period_end_on, claims_paid_fen, data_as_of FROM credit_agri_insurance_policy
               WHERE subject_id = ? AND current = 1 AND retracted_at IS NULL ORDER BY data_as_of DESC, id DESC`,
  subsidy: `SELECT program, subsidy_year, amount_fen, paid_on, data_as_of FROM credit_agri_subsidy
             WHERE subject_id = ? AND current = 1 AND retracted_at IS NULL ORDER BY data_as_of DESC, id DESC`,
  loanSummary: `SELECT
      SUM(CASE WHEN status IN ('NORMAL','OVERDUE') AND balance_fen > 0 THEN balance_fen ELSE 0 END) AS total,
      SUM(CASE WHEN status IN ('NORMAL','OVERDUE') AND balance_fen > 0 THEN 1 ELSE 0 END) AS active,
      COUNT(DISTINCT CASE WHEN status IN ('NORMAL','OVERDUE') AND balance_fen > 0 THEN bank_code END) AS banks,
      SUM(CASE WHEN status IN ('NORMAL','OVERDUE') AND balance_fen > 0 AND (status = 'OVERDUE' OR overdue_days > 0) THEN 1 ELSE 0 END) AS overdue,
      MAX(CASE WHEN status IN ('NORMAL','OVERDUE') AND balance_fen > 0 THEN overdue_days ELSE 0 END) AS maxOverdueDays,
      SUM(CASE WHEN status IN ('NORMAL','OVERDUE') AND balance_fen > 0 AND (status = 'OVERDUE' OR overdue_days > 0) THEN balance_fen ELSE 0 END) AS overdueBalance,
      SUM(CASE WHEN status = 'WRITTEN_OFF' THEN 1 ELSE 0 END) AS writtenOff
    FROM exposure_loan WHERE is_current = 1 AND subject_id = ?`,
  guaranteeSummary: `SELECT SUM(balance_fen) AS total, COUNT(*) AS active, COUNT(DISTINCT guarantor_code) AS guarantors
    FROM exposure_guarantee WHERE is_current = 1 AND status = 'ACTIVE' AND subject_id = ?`,
  compensationSummary: `SELECT COUNT(*) AS n, SUM(amount_fen) AS total FROM exposure_compensation WHERE is_current = 1 AND paid_on >= ? AND subject_id = ?`,
  loans: `SELECT contract_no, amount_fen, balance_fen, start_date, maturity_date, status, overdue_days, interest_rate FROM exposure_loan
           WHERE bank_code = ? AND is_current = 1 AND subject_id = ? ORDER BY id`,
};

type Rows = Array<Record<string, unknown>>;
type Query = (sql: string, params: unknown[]) => Promise<Rows>;

function compensationSince(now: Date): string {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  return new Date(Date.UTC(cst.getUTCFullYear() - 5, cst.getUTCMonth(), cst.getUTCDate())).toISOString().slice(0, 10);
}

/** The report for one subject, in the key order of the GraphQL response. 14 statements, run concurrently. */
export async function report(query: Query, id: string, bankCode: string): Promise<unknown> {
  const [ent, agri, tax, social, judicial, penalty, land, insurance, subsidy, ls, gs, cs, loans] = await Promise.all([
    query(SQL.enterprise, [id]),
    query(SQL.agri, [id]),
    query(SQL.tax, [id]),
    query(SQL.social, [id]),
    query(SQL.judicial, [id]),
    query(SQL.penalty, [id]),
    query(SQL.land, [id]),
    query(SQL.insurance, [id]),
    query(SQL.subsidy, [id]),
    query(SQL.loanSummary, [id]),
    query(SQL.guaranteeSummary, [id]),
    query(SQL.compensationSummary, [compensationSince(new Date()), id]),
    query(SQL.loans, [bankCode, id]),
  ]);
  const e = ent[0];
  const a = agri[0];
  if (!e && !a) return { data: { subject: null } };
  const head = e
    ? {
        id: e.id,
        name: e.name,
        kind: e.kind,
        regionCode: e.region_code,
        legalRepresentative: e.legal_representative,
        registeredCapital: fenToYuan(e.registered_capital_fen),
        establishedOn: e.established_on,
        industryCode: e.industry_code,
        industryName: e.industry_name,
        status: e.status,
        scale: e.scale,
      }
    : {
        id: a.id,
        name: a.name,
        kind: a.kind,
        regionCode: a.region_code,
        operatorName: a.operator_name,
        village: a.village,
        landAreaMu: Number(a.land_area_mu),
        mainProducts: String(a.main_products).split(','),
        registeredOn: a.registered_on,
      };
  const l = ls[0] ?? {};
  const g = gs[0] ?? {};
  const c = cs[0] ?? {};
  return {
    data: {
      subject: {
        ...head,
        taxRecords: tax.map((r) => ({ taxYear: num(r.tax_year), rating: r.rating, taxPaid: fenToYuan(r.tax_paid_fen), vatPaid: fenToYuan(r.vat_paid_fen), taxArrears: fenToYuan(r.tax_arrears_fen), dataAsOf: r.data_as_of })),
        socialInsuranceRecords: social.map((r) => ({
          period: r.period,
          insuredHeadcount: num(r.insured_headcount),
          paidBaseTotal: fenToYuan(r.paid_base_total_fen),
          arrearsAmount: fenToYuan(r.arrears_fen),
          arrearsMonths: num(r.arrears_months),
          dataAsOf: r.data_as_of,
        })),
        judicialRecords: judicial.map((r) => ({
          caseNumber: r.case_number,
          caseType: r.case_type,
          role: r.role,
          status: r.status,
          amountInvolved: fenToYuan(r.amount_involved_fen),
          filedOn: r.filed_on,
          closedOn: r.closed_on,
          dishonestListed: bool(r.dishonest_listed),
          dataAsOf: r.data_as_of,
        })),
        penaltyRecords: penalty.map((r) => ({ decisionNumber: r.decision_number, penaltyType: r.penalty_type, reason: r.reason, fineAmount: fenToYuan(r.fine_amount_fen), decidedOn: r.decided_on, dataAsOf: r.data_as_of })),
        landContractRights: land.map((r) => ({ certificateNumber: r.certificate_number, areaMu: Number(r.area_mu), landType: r.land_type, contractEndOn: r.contract_end_on, dataAsOf: r.data_as_of })),
        agriInsurancePolicies: insurance.map((r) => ({
          policyNumber: r.policy_number,
          insuredItem: r.insured_item,
          insuredAmount: fenToYuan(r.insured_amount_fen),
          periodEndOn: r.period_end_on,
          claimsPaid: fenToYuan(r.claims_paid_fen),
          dataAsOf: r.data_as_of,
        })),
        agriSubsidies: subsidy.map((r) => ({ program: r.program, year: num(r.subsidy_year), amount: fenToYuan(r.amount_fen), paidOn: r.paid_on, dataAsOf: r.data_as_of })),
        exposureSummary: {
          totalLoanBalance: fenToYuan(num(l.total)),
          activeLoanCount: num(l.active),
          lendingInstitutionCount: num(l.banks),
          overdue: num(l.overdue) > 0,
          maxOverdueDays: num(l.maxOverdueDays),
          overdueBalance: fenToYuan(num(l.overdueBalance)),
          writtenOffLoanCount: num(l.writtenOff),
          totalGuaranteeBalance: fenToYuan(num(g.total)),
          activeGuaranteeCount: num(g.active),
          guaranteeInstitutionCount: num(g.guarantors),
          compensationCount: num(c.n),
          compensationTotal: fenToYuan(num(c.total)),
        },
        loans: loans.map((r) => ({
          contractNo: r.contract_no,
          amount: fenToYuan(r.amount_fen),
          balance: fenToYuan(r.balance_fen),
          startDate: r.start_date,
          maturityDate: r.maturity_date,
          status: r.status,
          overdueDays: num(r.overdue_days),
          interestRate: Number(r.interest_rate),
        })),
      },
    },
  };
}

/** Opens the database with the smallest driver layer there is; counts statements. */
export async function openFloorDatabase(url: string, opts: { oneRoundTrip?: boolean } = {}): Promise<{ query: Query; statements: () => number; close(): Promise<void> }> {
  let statements = 0;
  if (url.startsWith('sqlite:')) {
    // better-sqlite3 ships no types here; the three calls used are typed by hand.
    interface Stmt {
      all(...params: unknown[]): unknown[];
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as new (file: string, opts: { readonly: boolean }) => { pragma(s: string): unknown; prepare(sql: string): Stmt; close(): void };
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    db.pragma('busy_timeout = 5000');
    const cache = new Map<string, Stmt>();
    return {
      query: async (sql, params) => {
        statements++;
        let st = cache.get(sql);
        if (!st) cache.set(sql, (st = db.prepare(sql)));
        return st.all(...params) as Rows;
      },
      statements: () => statements,
      close: async () => db.close(),
    };
  }
  const options = {
    uri: url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: Number(process.env.HUB_DB_POOL || 10),
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
  if (opts.oneRoundTrip) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mysql = require('mysql2') as typeof import('mysql2');
    const pool = mysql.createPool({ ...options, multipleStatements: true });
    let queue: Array<{ sql: string; params: unknown[]; resolve: (rows: Rows) => void; reject: (e: Error) => void }> = [];
    const flush = () => {
      const batch = queue;
      queue = [];
      const text = batch.map((q) => pool.format(q.sql, q.params)).join(';\n');
      pool.query(text, (err, results) => {
        if (err) return batch.forEach((q) => q.reject(err));
        const sets = (batch.length === 1 ? [results] : results) as Rows[];
        batch.forEach((q, i) => q.resolve(sets[i]));
      });
    };
    return {
      query: (sql, params) =>
        new Promise((resolve, reject) => {
          statements++;
          queue.push({ sql, params, resolve, reject });
          if (queue.length === 1) setImmediate(flush);
        }),
      statements: () => statements,
      close: () => new Promise<void>((resolve) => pool.end(() => resolve())),
    };
  }
  const mysql = await import('mysql2/promise');
  const pool = mysql.createPool(options);
  return {
    query: async (sql, params) => {
      statements++;
      const [rows] = await pool.execute(sql, params as never);
      return rows as Rows;
    },
    statements: () => statements,
    close: () => pool.end(),
  };
}

async function main(): Promise<void> {
  const [url, bankCode = 'BANK-CQRCB', mode] = process.argv.slice(2);
  const db = await openFloorDatabase(url, { oneRoundTrip: mode === 'one-round-trip' });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let id: string;
      try {
        id = String(JSON.parse(Buffer.concat(chunks).toString('utf8')).variables.id);
      } catch {
        res.writeHead(400).end();
        return;
      }
      report(db.query, id, bankCode).then(
        (body) => {
          const text = JSON.stringify(body);
          res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
        },
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  sampler.unref();
  process.on('message', async (msg: { type: string }) => {
    if (msg.type === 'stats') {
      process.send?.({ type: 'stats', statements: db.statements(), rss: process.memoryUsage().rss, peakRss: Math.max(peakRss, process.memoryUsage().rss) });
    } else if (msg.type === 'reset-peak') {
      peakRss = process.memoryUsage().rss;
      process.send?.({ type: 'reset-peak' });
    } else if (msg.type === 'stop') {
      server.close();
      server.closeIdleConnections();
      await db.close();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`raw-floor: ${e.stack ?? e.message}`);
    process.exit(1);
  });
}
