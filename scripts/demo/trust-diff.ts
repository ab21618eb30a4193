// How a trust policy changed between two readings, statement by statement: what the demo shows
// after each step instead of the whole document. Pure functions over parsed JSON.

/** One leaf of a statement that differs: its path (`Principal.AWS`) and its values as text. */
export interface FieldChange {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
}

/** One statement added, removed or changed; `label` names it by its Sid. */
export interface StatementChange {
  readonly kind: 'added' | 'removed' | 'changed';
  readonly label: string;
  readonly fields: readonly FieldChange[];
}

const NO_SID = 'statement without Sid';

/**
 * The statements that differ between two trust policies (undefined: the role does not exist).
 * Statements are matched by Sid; one without a Sid matches only an identical one, since nothing
 * else says which statement it was.
 */
export function diffTrustPolicies(before: unknown, after: unknown): StatementChange[] {
  const old = statementsOf(before);
  const current = statementsOf(after);
  const changes: StatementChange[] = [];
  for (const [sid, statement] of bySid(old)) {
    const next = bySid(current).get(sid);
    if (next === undefined) changes.push(whole('removed', `Sid ${sid}`, statement));
    else {
      const fields = diffFields(flatten(statement), flatten(next));
      if (fields.length > 0) changes.push({ kind: 'changed', label: `Sid ${sid}`, fields });
    }
  }
  for (const [sid, statement] of bySid(current)) {
    if (!bySid(old).has(sid)) changes.push(whole('added', `Sid ${sid}`, statement));
  }
  const [gone, come] = unmatchedWithoutSid(old, current);
  changes.push(
    ...gone.map((s) => whole('removed', NO_SID, s)),
    ...come.map((s) => whole('added', NO_SID, s)),
  );
  return changes;
}

/** The changes as diff lines: `~`, `+` or `-` and the statement, then each field it concerns. */
export function formatTrustDiff(changes: readonly StatementChange[]): string[] {
  const mark = { added: '+', removed: '-', changed: '~' } as const;
  return changes.flatMap((change) => [
    `${mark[change.kind]} ${change.label}`,
    ...change.fields.flatMap((field) => [
      ...(field.before === undefined ? [] : [`    - ${field.path}: ${field.before}`]),
      ...(field.after === undefined ? [] : [`    + ${field.path}: ${field.after}`]),
    ]),
  ]);
}

type Statement = Record<string, unknown>;

function statementsOf(policy: unknown): Statement[] {
  if (!isRecord(policy)) return [];
  const { Statement: statements } = policy;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.filter(isRecord);
}

function bySid(statements: readonly Statement[]): Map<string, Statement> {
  return new Map(
    statements.flatMap((s) => (typeof s.Sid === 'string' && s.Sid !== '' ? [[s.Sid, s] as const] : [])),
  );
}

// Sid-less statements present on both sides, identical, are unchanged; the rest were removed or added.
function unmatchedWithoutSid(old: Statement[], current: Statement[]): [Statement[], Statement[]] {
  const come = current.filter((s) => !hasSid(s));
  const gone: Statement[] = [];
  for (const statement of old.filter((s) => !hasSid(s))) {
    const same = come.findIndex((s) => JSON.stringify(s) === JSON.stringify(statement));
    if (same === -1) gone.push(statement);
    else come.splice(same, 1);
  }
  return [gone, come];
}

function hasSid(statement: Statement): boolean {
  return typeof statement.Sid === 'string' && statement.Sid !== '';
}

function whole(kind: 'added' | 'removed', label: string, statement: Statement): StatementChange {
  const fields = [...flatten(statement)]
    .filter(([path]) => path !== 'Sid')
    .map(
      ([path, value]): FieldChange => (kind === 'added' ? { path, after: value } : { path, before: value }),
    );
  return { kind, label, fields };
}

function diffFields(before: Map<string, string>, after: Map<string, string>): FieldChange[] {
  const paths = [...new Set([...before.keys(), ...after.keys()])];
  return paths
    .filter((path) => before.get(path) !== after.get(path))
    .map((path) => ({ path, before: before.get(path), after: after.get(path) }));
}

// Objects are walked into dotted paths; a list is one value, since its entries have no names.
function flatten(value: unknown, path = ''): Map<string, string> {
  if (!isRecord(value)) return new Map([[path, typeof value === 'string' ? value : JSON.stringify(value)]]);
  return new Map(
    Object.entries(value).flatMap(([key, inner]) => [
      ...flatten(inner, path === '' ? key : `${path}.${key}`),
    ]),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
