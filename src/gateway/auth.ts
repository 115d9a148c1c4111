import type http from 'node:http';
import type { Database } from '../db/datasource';
import { AuthenticationError, CallerType, type Caller, type CallerTokenVerifier } from '../identity/caller';
import { assertSubjectId, InvalidIdentifierError } from '../identifiers';
import { findInstitutions } from '../sharing/read';
import { InstitutionStatus, type Institution } from '../sharing/entities';

/** Institutions change rarely; a short cache saves a lookup per request and still honours a suspension within seconds. */
const INSTITUTION_CACHE_MS = 10_000;

/** Turns a bearer token into the verified Caller: signature and claims first, then the institution register. */
export class CallerAuthenticator {
  private readonly cache = new Map<string, { at: number; institution: Institution | null }>();

  constructor(
    private readonly verifier: CallerTokenVerifier,
    private readonly db: Database,
  ) {}

  async authenticate(req: http.IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization;
    if (!header) throw new AuthenticationError('missing Authorization: Bearer <token>');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthenticationError('Authorization header must be "Bearer <token>"');
    const claims = await this.verifier.verify(match[1]);
    const userId = String(claims.sub);
    if (claims.subject_id && !claims.org) {
      try {
        return { type: CallerType.SUBJECT, subjectId: assertSubjectId(String(claims.subject_id)).id, userId };
      } catch (e) {
        if (e instanceof InvalidIdentifierError) throw new AuthenticationError(`token subject_id is not a valid identifier: ${e.message}`);
        throw e;
      }
    }
    const institution = await this.institution(String(claims.org));
    if (!institution) throw new AuthenticationError(`institution '${claims.org}' is not registered with the hub`);
    if (institution.status !== InstitutionStatus.ACTIVE) throw new AuthenticationError(`institution '${institution.code}' is suspended`);
    return {
      type: institution.type,
      orgCode: institution.code,
      guarantorLevel: institution.guarantorLevel ?? undefined,
      regionCode: institution.regionCode,
      userId,
    };
  }

  private async institution(code: string): Promise<Institution | null> {
    const hit = this.cache.get(code);
    if (hit && Date.now() - hit.at < INSTITUTION_CACHE_MS) return hit.institution;
    const [institution] = await findInstitutions(this.db, [code]);
    this.cache.set(code, { at: Date.now(), institution });
    return institution;
  }
}
