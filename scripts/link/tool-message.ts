// What a failed tool said, squeezed onto one line for the link's own message.

const LIMIT = 400;

/** The non-empty lines of a tool's output joined into one line, cut at a readable length. */
export function toolMessage(output: string): string {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.replace(/^[\s|+─│╭╮╰╯-]+|[\s|+─│╭╮╰╯-]+$/g, ''))
    .filter((line) => line !== '');
  const text = lines.join(' ') || '(it printed nothing)';
  return text.length > LIMIT ? `${text.slice(0, LIMIT)}...` : text;
}
