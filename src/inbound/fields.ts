// The machine-readable parts of a report (RFC 3464 message/delivery-status, RFC 5965
// message/feedback-report) and the headers of a returned message are all RFC 5322-style
// fields: `Name: value`, continued on lines that start with white space, in groups separated by
// blank lines. One reader for all of them.

/** One group of fields; names lower-cased, every value of a repeated field kept in order. */
export type FieldGroup = Map<string, string[]>;

/** Every group of `text` (a DSN: the per-message group, then one per recipient). */
export function fieldGroups(text: string): FieldGroup[] {
  const groups: FieldGroup[] = [];
  let group: FieldGroup = new Map();
  let last: { name: string; index: number } | null = null;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (group.size > 0) groups.push(group);
      group = new Map();
      last = null;
      continue;
    }
    if (/^[ \t]/.test(line) && last) {
      const values = group.get(last.name)!;
      values[last.index] = `${values[last.index]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      last = null;
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = group.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    group.set(name, values);
    last = { name, index: values.length - 1 };
  }
  if (group.size > 0) groups.push(group);
  return groups;
}

export function field(group: FieldGroup, name: string): string | null {
  return group.get(name)?.[0] ?? null;
}

/** `rfc822; a@example.org` (DSN and ARF address fields) -> `a@example.org`; null when empty. */
export function addressValue(value: string | null): string | null {
  if (value === null) return null;
  const address = value
    .replace(/^[a-z0-9-]+\s*;/i, '')
    .trim()
    .replace(/^<|>$/g, '')
    .trim();
  return address.includes('@') ? address : null;
}
