// Reads the template sam will deploy, so the link can check it is the stack's own.

import { loadTemplate, type Template } from '../template-check/template';
import { StackError } from './errors';

/** The parsed template; throws StackError when it is missing or not a template. */
export function readTemplate(path: string): Template {
  try {
    return loadTemplate(path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    const reason = missing ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new StackError(`The template to deploy, ${path}: ${reason}.`, { cause: error });
  }
}
