import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { badInput, forbidden } from '../federation/errors';
import { Compensation, Guarantee, Loan } from './entities';
import {
  compensationPage,
  exposureSummaryLoader,
  guaranteePage,
  guarantorOf,
  lendingBankOf,
  loanPage,
  ownCompensationsLoader,
  ownGuaranteesLoader,
  ownLoansLoader,
  type PageArgs,
} from './read';
import { ExposureSubject, ExposureSummary, InstitutionRef } from './types';

/** Largest page `myLoans` / `myGuarantees` / `myCompensations` return. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

function pageArgs(requested: number | null, after: string | null | undefined): PageArgs {
  const first = requested ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`'first' must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`, { argument: 'first' });
  }
  if (after === null || after === undefined || after === '') return { first, afterId: 0 };
  if (!/^\d{1,15}$/.test(after)) throw badInput(`'after' must be the id of the last record of the previous page, got ${JSON.stringify(after)}`, { argument: 'after' });
  return { first, afterId: Number(after) };
}

const institution = (code: string): InstitutionRef => ({ code });

const FIRST_DESCRIPTION = `Page size, 1 to ${MAX_PAGE_SIZE}.`;
const AFTER_DESCRIPTION = 'Cursor: the id of the last record of the previous page; omit for the first page.';

/** Fields exposure adds to every subject (registry's `Subject` interface). */
@Resolver(() => ExposureSubject)
export class ExposureSubjectResolver {
  @FieldResolver(() => ExposureSummary, {
    description:
      '跨机构融资敞口 — the subject’s loans, guarantees and compensations across all banks and guarantors, as totals, ' +
      'counts and flags only (no institution names, no contract numbers).',
  })
  exposureSummary(@Root() subject: ExposureSubject, @Ctx() ctx: HubContext): Promise<ExposureSummary> {
    return exposureSummaryLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [Loan], {
    description: 'The subject’s current loans reported by the calling bank itself; empty for any other caller (see exposureSummary).',
  })
  loans(@Root() subject: ExposureSubject, @Ctx() ctx: HubContext): Promise<Loan[]> {
    return ownLoansLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [Guarantee], {
    description: 'The subject’s current guarantees reported by the calling guarantor itself; empty for any other caller (see exposureSummary).',
  })
  guarantees(@Root() subject: ExposureSubject, @Ctx() ctx: HubContext): Promise<Guarantee[]> {
    return ownGuaranteesLoader(ctx).load(subject.id);
  }

  @FieldResolver(() => [Compensation], {
    description: 'Compensations (代偿) the calling guarantor itself paid for the subject; empty for any other caller (see exposureSummary).',
  })
  compensations(@Root() subject: ExposureSubject, @Ctx() ctx: HubContext): Promise<Compensation[]> {
    return ownCompensationsLoader(ctx).load(subject.id);
  }
}

@Resolver(() => Loan)
export class LoanResolver {
  @Query(() => [Loan], {
    description:
      'The calling bank’s own current loans, ordered by id. Page with `after` = the id of the last loan of the previous ' +
      'page; an empty list means no more. Only banks report loans (FORBIDDEN for other callers).',
  })
  myLoans(
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: FIRST_DESCRIPTION }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<Loan[]> {
    const bank = lendingBankOf(ctx.caller);
    if (!bank) throw forbidden('myLoans is for banks: loans are visible in detail only to the bank that reported them', { reason: 'NOT_A_BANK' });
    return loanPage(ctx.db, bank, pageArgs(first, after));
  }

  @FieldResolver(() => InstitutionRef, { description: 'The lending bank that reported the loan.' })
  lender(@Root() loan: Loan): InstitutionRef {
    return institution(loan.bankCode);
  }

  @FieldResolver(() => ExposureSubject, { description: 'The borrower.' })
  subject(@Root() loan: Loan): ExposureSubject {
    return { id: loan.subjectId };
  }
}

@Resolver(() => Guarantee)
export class GuaranteeResolver {
  @Query(() => [Guarantee], {
    description:
      'The calling guarantor’s own current guarantees, ordered by id. Page with `after` = the id of the last guarantee of ' +
      'the previous page; an empty list means no more. Only guarantors report guarantees (FORBIDDEN for other callers).',
  })
  myGuarantees(
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: FIRST_DESCRIPTION }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<Guarantee[]> {
    const guarantor = guarantorOf(ctx.caller);
    if (!guarantor) throw forbidden('myGuarantees is for guarantors: guarantees are visible in detail only to the guarantor that reported them', { reason: 'NOT_A_GUARANTOR' });
    return guaranteePage(ctx.db, guarantor, pageArgs(first, after));
  }

  @FieldResolver(() => InstitutionRef, { description: 'The guarantor that issued and reported the guarantee.' })
  guarantor(@Root() guarantee: Guarantee): InstitutionRef {
    return institution(guarantee.guarantorCode);
  }

  @FieldResolver(() => InstitutionRef, { description: 'The lending bank whose loan is guaranteed.' })
  bank(@Root() guarantee: Guarantee): InstitutionRef {
    return institution(guarantee.bankCode);
  }

  @FieldResolver(() => InstitutionRef, { nullable: true, description: 'The re-guarantor (再担保机构), if the guarantee is re-guaranteed.' })
  reguarantor(@Root() guarantee: Guarantee): InstitutionRef | null {
    return guarantee.reguarantorCode ? institution(guarantee.reguarantorCode) : null;
  }

  @FieldResolver(() => ExposureSubject, { description: 'The guaranteed borrower.' })
  subject(@Root() guarantee: Guarantee): ExposureSubject {
    return { id: guarantee.subjectId };
  }
}

@Resolver(() => Compensation)
export class CompensationResolver {
  @Query(() => [Compensation], {
    description:
      'Compensations (代偿) the calling guarantor itself paid, current versions, ordered by id. Page with `after` = the id ' +
      'of the last compensation of the previous page. FORBIDDEN for callers other than guarantors.',
  })
  myCompensations(
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: FIRST_DESCRIPTION }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after: string | null | undefined,
    @Ctx() ctx: HubContext,
  ): Promise<Compensation[]> {
    const guarantor = guarantorOf(ctx.caller);
    if (!guarantor) throw forbidden('myCompensations is for guarantors: compensations are visible in detail only to the guarantor that reported them', { reason: 'NOT_A_GUARANTOR' });
    return compensationPage(ctx.db, guarantor, pageArgs(first, after));
  }

  @FieldResolver(() => InstitutionRef, { description: 'The guarantor that paid.' })
  guarantor(@Root() compensation: Compensation): InstitutionRef {
    return institution(compensation.guarantorCode);
  }

  @FieldResolver(() => InstitutionRef, { description: 'The bank that was paid.' })
  bank(@Root() compensation: Compensation): InstitutionRef {
    return institution(compensation.bankCode);
  }

  @FieldResolver(() => ExposureSubject, { description: 'The defaulted borrower.' })
  subject(@Root() compensation: Compensation): ExposureSubject {
    return { id: compensation.subjectId };
  }
}
