/**
 * The operations the benchmark sends. Arguments travel as variables so the gateway's document and
 * query-plan caches hit, as a real client's would.
 */

/** One subject's credit report: registry, every credit dataset, the cross-institution exposure and the caller's own loans. */
export const REPORT_FIELDS = `
    id
    name
    kind
    regionCode
    ... on Enterprise { legalRepresentative registeredCapital establishedOn industryCode industryName status scale }
    ... on AgriEntity { operatorName village landAreaMu mainProducts registeredOn }
    taxRecords { taxYear rating taxPaid vatPaid taxArrears dataAsOf }
    socialInsuranceRecords { period insuredHeadcount paidBaseTotal arrearsAmount arrearsMonths dataAsOf }
    judicialRecords { caseNumber caseType role status amountInvolved filedOn closedOn dishonestListed dataAsOf }
    penaltyRecords { decisionNumber penaltyType reason fineAmount decidedOn dataAsOf }
    landContractRights { certificateNumber areaMu landType contractEndOn dataAsOf }
    agriInsurancePolicies { policyNumber insuredItem insuredAmount periodEndOn claimsPaid dataAsOf }
    agriSubsidies { program year amount paidOn dataAsOf }
    exposureSummary {
      totalLoanBalance activeLoanCount lendingInstitutionCount overdue maxOverdueDays overdueBalance writtenOffLoanCount
      totalGuaranteeBalance activeGuaranteeCount guaranteeInstitutionCount compensationCount compensationTotal
    }
    loans { contractNo amount balance startDate maturityDate status overdueDays interestRate }
`;

export const ONE_SUBJECT_REPORT = `query CreditReport($id: String!) {
  subject(id: $id) {${REPORT_FIELDS}  }
}`;

export const BATCH_REPORT = `query CreditReports($ids: [String!]!) {
  subjects(ids: $ids) {${REPORT_FIELDS}  }
}`;

export const QUERY_FIELDS_INTROSPECTION = `query BenchIntrospection {
  __schema {
    queryType { fields { name args { name type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
    types { name kind fields { name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }
  }
}`;

interface TypeRef {
  kind: string;
  name: string | null;
  ofType?: TypeRef | null;
}
interface IntrospectedField {
  name: string;
  args: Array<{ name: string; type: TypeRef }>;
  type: TypeRef;
}
interface IntrospectedType {
  name: string;
  kind: string;
  fields: IntrospectedField[] | null;
}
export interface Introspection {
  __schema: { queryType: { fields: IntrospectedField[] }; types: IntrospectedType[] };
}

function named(t: TypeRef): TypeRef {
  let cur = t;
  while (cur.ofType) cur = cur.ofType;
  return cur;
}

/**
 * The cross-check operation, built from the live schema (another part of the hub owns `crossCheck`):
 * every argument-free scalar field of the result, and of its objects one level down. Null when the
 * schema has no `crossCheck` query or it needs arguments other than `subjectIds`.
 */
export function crossCheckOperation(schema: Introspection): string | null {
  const field = schema.__schema.queryType.fields.find((f) => f.name === 'crossCheck');
  if (!field) return null;
  const required = field.args.filter((a) => a.type.kind === 'NON_NULL' && a.name !== 'subjectIds');
  if (required.length || !field.args.some((a) => a.name === 'subjectIds')) return null;
  const types = new Map(schema.__schema.types.map((t) => [t.name, t]));
  const selection = (typeName: string, depth: number): string => {
    const type = types.get(typeName);
    if (!type?.fields) return '';
    const parts: string[] = [];
    for (const f of type.fields) {
      if (f.args.length) continue;
      const inner = named(f.type);
      if (inner.kind === 'SCALAR' || inner.kind === 'ENUM') parts.push(f.name);
      else if (inner.kind === 'OBJECT' && depth > 0) {
        const sub = selection(inner.name!, depth - 1);
        if (sub) parts.push(`${f.name} { ${sub} }`);
      }
    }
    return parts.join(' ');
  };
  const result = named(field.type);
  const sel = result.kind === 'OBJECT' ? ` { ${selection(result.name!, 1)} }` : '';
  return `query CrossCheck($ids: [String!]!) {\n  crossCheck(subjectIds: $ids)${sel}\n}`;
}
