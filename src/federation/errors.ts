import { GraphQLError } from 'graphql';
import { InvalidIdentifierError, assertSubjectId } from '../identifiers';

/** A caller error with a code integrators can branch on (extensions.code). */
export function badInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });
}

export function forbidden(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', ...extensions } });
}

/** Validates subject ids from an argument; every invalid one is named, nothing is looked up or stored. */
export function subjectIdsArg(ids: readonly string[], argument = 'ids'): string[] {
  const problems: Array<{ index: number; rule: string; message: string }> = [];
  const normalized = ids.map((raw, index) => {
    try {
      return assertSubjectId(raw).id;
    } catch (e) {
      if (!(e instanceof InvalidIdentifierError)) throw e;
      problems.push({ index, rule: e.rule, message: e.message });
      return '';
    }
  });
  if (problems.length) {
    const first = problems[0];
    throw badInput(
      problems.length === 1 && ids.length === 1
        ? `Invalid subject identifier: ${first.message}`
        : `${problems.length} invalid subject identifier(s) in '${argument}'; first at index ${first.index}: ${first.message}`,
      { reason: 'INVALID_IDENTIFIER', rule: first.rule, argument, invalid: problems },
    );
  }
  return normalized;
}

export function subjectIdArg(id: string, argument = 'id'): string {
  return subjectIdsArg([id], argument)[0];
}
