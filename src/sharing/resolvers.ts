import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { HubContext } from '../federation/context';
import { CallerType } from '../identity/caller';
import { Institution, InstitutionKey } from './entities';
import { institutionKeysLoader, institutionLoader } from './read';

@Resolver(() => Institution)
export class InstitutionResolver {
  @Query(() => [Institution], { description: 'Institutions registered with the hub, optionally of one type, ordered by code.' })
  institutions(@Arg('type', () => CallerType, { nullable: true, description: 'Only institutions of this type.' }) type: CallerType | undefined, @Ctx() ctx: HubContext): Promise<Institution[]> {
    return ctx.db.dataSource.getRepository(Institution).find({ where: type ? { type } : {}, order: { code: 'ASC' } });
  }

  @Query(() => Institution, { nullable: true, description: 'One institution by code.' })
  institution(@Arg('code', { description: 'Institution code.' }) code: string, @Ctx() ctx: HubContext): Promise<Institution | null> {
    return institutionLoader(ctx).load(code);
  }

  @Query(() => Institution, { nullable: true, description: 'The calling institution (null for a SUBJECT caller).' })
  me(@Ctx() ctx: HubContext): Promise<Institution | null> {
    return ctx.caller.orgCode ? institutionLoader(ctx).load(ctx.caller.orgCode) : Promise.resolve(null);
  }

  @FieldResolver(() => [InstitutionKey], { description: 'Public keys registered for the institution (visible to the institution itself and the operator).' })
  keys(@Root() institution: Institution, @Ctx() ctx: HubContext): Promise<InstitutionKey[]> {
    const mayRead = ctx.caller.type === CallerType.OPERATOR || ctx.caller.orgCode === institution.code;
    return mayRead ? institutionKeysLoader(ctx).load(institution.code) : Promise.resolve([]);
  }
}
