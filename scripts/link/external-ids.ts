// The external ids a rotation links: the new one first, then the old ones still in use, each once.

import { externalIdProblem, splitExternalIds } from '../../handler/trust-link/rules';
import { UsageError } from './errors';

/** The ids given with --old-external-id (each may be a comma-separated list); throws UsageError on a bad one. */
export function givenOldExternalIds(values: readonly string[]): string[] {
  const ids = splitExternalIds(values);
  const problems = ids.map((id) =>
    id === '' ? '--old-external-id has an empty entry.' : externalIdProblem(id),
  );
  const found = problems.filter((problem) => problem !== undefined);
  if (found.length > 0) throw new UsageError(found.join('\n'));
  return ids;
}

/** The ids to link: the new id first, the old ones after it, without repeats. */
export function linkedExternalIds(newId: string, oldIds: readonly string[]): string[] {
  return [...new Set([newId, ...oldIds])];
}
