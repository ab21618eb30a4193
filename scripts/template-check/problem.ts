/** One thing CloudFormation (or SAM) would refuse, and where: a dotted path into the template. */
export interface Problem {
  readonly at: string;
  readonly message: string;
}

export function problem(at: string, message: string): Problem {
  return { at, message };
}
