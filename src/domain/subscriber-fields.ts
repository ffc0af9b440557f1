// The limits on what a subscriber may give besides the address, the same for the sign-up form,
// the operator API and the CSV import: names end up in email headers and topics in every campaign
// query, so both are bounded here once.

export const MAX_NAME_LENGTH = 200;
export const MAX_TOPICS = 50;
export const MAX_TOPIC_LENGTH = 64;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/g;

/** A display name: control characters become spaces, trimmed, bounded; empty means none. */
export function checkNameText(value: string): Checked<string | null> {
  const name = value.replace(CONTROL, ' ').trim();
  if (name.length > MAX_NAME_LENGTH) return { ok: false, error: `name: longer than ${MAX_NAME_LENGTH} characters` };
  return { ok: true, value: name === '' ? null : name };
}

/** Topics already split into items: cleaned, de-duplicated, each and their number bounded. */
export function checkTopicList(items: readonly string[]): Checked<string[]> {
  const topics: string[] = [];
  for (const item of items) {
    const topic = item.replace(CONTROL, '').trim();
    if (topic === '') continue;
    if (topic.length > MAX_TOPIC_LENGTH) return { ok: false, error: `topics: "${topic.slice(0, 20)}…" is longer than ${MAX_TOPIC_LENGTH} characters` };
    if (!topics.includes(topic)) topics.push(topic);
  }
  if (topics.length > MAX_TOPICS) return { ok: false, error: `topics: at most ${MAX_TOPICS}` };
  return { ok: true, value: topics };
}
