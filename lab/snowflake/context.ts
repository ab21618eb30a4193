// SELECT CURRENT_USER(), CURRENT_ROLE(): who the session is. One row, a column per function, named as called.
// https://docs.snowflake.com/en/sql-reference/functions/current_user: the name of the user logged in.
// https://docs.snowflake.com/en/sql-reference/functions/current_role: the session's primary role (NULL for a
//   database role, which the stand-in does not model).
import type { ResultSet } from './results';
import type { Session } from './session';
import type { ContextFunction } from './sql/statements';

/** The values of the context functions for this session. */
export function contextFunctions(functions: readonly ContextFunction[], session: Session): ResultSet {
  return {
    columns: functions.map((fn) => ({ name: `${fn}()`, type: 'text' })),
    rows: [functions.map((fn) => (fn === 'CURRENT_USER' ? session.user.name : session.role))],
  };
}
