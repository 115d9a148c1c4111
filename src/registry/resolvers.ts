import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { badInput, subjectIdArg, subjectIdsArg } from '../federation/errors';
import { Subject } from './entities';
import { subjectLoader, type SubjectRecord } from './read';

/** Largest id list one `subjects` call takes; larger batches go through several calls. */
export const MAX_SUBJECTS_PER_CALL = 1000;

@Resolver(() => Subject)
export class SubjectResolver {
  @Query(() => Subject, {
    nullable: true,
    description:
      'One subject by its 统一社会信用代码 or 公民身份号码. An invalid identifier is an error (code BAD_USER_INPUT, ' +
      'extensions.rule names the failed check); an unknown one is null.',
  })
  subject(@Arg('id', { description: 'USCC (18 chars) or 公民身份号码 (18 chars).' }) id: string, @Ctx() ctx: HubContext): Promise<SubjectRecord | null> {
    return subjectLoader(ctx).load(subjectIdArg(id));
  }

  @Query(() => [Subject], {
    nullable: 'items',
    description: `Many subjects at once (up to ${MAX_SUBJECTS_PER_CALL}), in the order asked; null where a subject is unknown.`,
  })
  subjects(@Arg('ids', () => [String], { description: 'Subject identifiers.' }) ids: string[], @Ctx() ctx: HubContext): Promise<Array<SubjectRecord | null>> {
    if (ids.length > MAX_SUBJECTS_PER_CALL) throw badInput(`at most ${MAX_SUBJECTS_PER_CALL} ids per call, got ${ids.length}`, { argument: 'ids' });
    return subjectLoader(ctx).loadMany(subjectIdsArg(ids)) as Promise<Array<SubjectRecord | null>>;
  }
}
