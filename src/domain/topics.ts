// Topics: an issue's tags and categories. One topic has three forms, each decided here once:
// - the label, as an issue spells it, trimmed ("SOFA Weekly"): what pages, feeds and forms show;
// - the key, the label lower-cased ("sofa weekly"): what subscribers and campaigns store, so
//   recipient matching (src/domain/recipients.ts and the store's SQL) is case-insensitive;
// - the slug ("sofa-weekly", see topicSlug): the name of the topic's feed folder and archive page.
// Keys are lower-cased in JavaScript, never in SQL, so both storage dialects fold non-ASCII alike.
import { createHash } from 'node:crypto';

/** What carries topics: an issue (src/content/issue.ts) or anything shaped like one. */
export interface TopicCarrier {
  tags: readonly string[];
  categories: readonly string[];
}

/** A topic as forms offer it: the key subscribers store, the label issues show. */
export interface TopicChoice {
  /** As the store keeps subscriber topics (topicKey). */
  key: string;
  label: string;
}

/** Topics an issue belongs to: its tags and categories, de-duplicated, in order. */
export function issueTopics(issue: TopicCarrier): string[] {
  return [...new Set([...issue.tags, ...issue.categories])];
}

/** An issue's topics as shown: trimmed, blank ones dropped, in order (spellings may still repeat a slug or key). */
export function issueTopicLabels(issue: TopicCarrier): string[] {
  return issueTopics(issue)
    .map((t) => t.trim())
    .filter(Boolean);
}

/** The key a topic is stored and matched by: trimmed and lower-cased; '' for a blank label. */
export function topicKey(label: string): string {
  return label.trim().toLowerCase();
}

/** Topics as subscribers and campaigns store them: keys, blanks dropped, de-duplicated, in order. */
export function normalizeTopics(topics: readonly string[] | undefined): string[] {
  if (!topics) return [];
  const out = new Set<string>();
  for (const t of topics) {
    const key = topicKey(t);
    if (key) out.add(key);
  }
  return [...out];
}

/**
 * The topic's folder name (tags/<slug>/). Unicode NFC, lowercase, runs of whitespace -> '-',
 * characters that are unsafe in a path or URL (/ \ ? # % " < > | : * ' ` and controls) -> '-',
 * runs of '-' collapsed, leading/trailing '-' and '.' trimmed. Letters and digits of every script
 * are kept as they are (CJK stays CJK: the folder is tags/周报/, the URL tags/%E5%91%A8%E6%8A%A5/).
 * Labels that differ only by case or spacing ("SOFA Weekly", "SOFA WEEKLY") share one folder.
 * A label with nothing left (e.g. "///") gets "topic-" + a short hash of the label.
 */
export function topicSlug(label: string): string {
  const slug = label
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\s\u3000]+/gu, '-')
    .replace(/[\u0000-\u001F\u007F/\\?#%"<>|:*'`^{}[\]!$&()+,;=@~]+/gu, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (slug) return slug;
  return `topic-${createHash('sha256').update(label).digest('hex').slice(0, 10)}`;
}

/**
 * One choice per topic, however the issues spell it ("SOFA Weekly", "sofa weekly", "SOFA  Weekly"):
 * spellings that share a slug (the one archive page they already share) are one choice, shown
 * with the label as first written (issues come newest first) and stored by that label's key.
 * Sorted by label, then key.
 */
export function topicChoices(issues: readonly TopicCarrier[]): TopicChoice[] {
  const bySlug = new Map<string, TopicChoice>();
  for (const issue of issues) {
    for (const label of issueTopicLabels(issue)) {
      const slug = topicSlug(label);
      if (!bySlug.has(slug)) bySlug.set(slug, { key: topicKey(label), label });
    }
  }
  return [...bySlug.values()].sort((a, b) => a.label.localeCompare(b.label) || a.key.localeCompare(b.key));
}

/**
 * The topics a preferences form lists, each once: every choice, ticked when a saved key shares its
 * slug (a key saved under another spelling ticks the same box), then the saved keys no published
 * issue carries any more, by their key, so they can be unticked.
 */
export function preferenceTopics(choices: readonly TopicChoice[], saved: readonly string[]): Array<TopicChoice & { checked: boolean }> {
  const savedSlugs = new Set(saved.map(topicSlug));
  const listed = new Set<string>();
  const out: Array<TopicChoice & { checked: boolean }> = [];
  for (const choice of choices) {
    const slug = topicSlug(choice.label);
    if (listed.has(slug)) continue;
    listed.add(slug);
    out.push({ ...choice, checked: savedSlugs.has(slug) });
  }
  for (const key of saved) {
    const slug = topicSlug(key);
    if (listed.has(slug)) continue;
    listed.add(slug);
    out.push({ key, label: key, checked: true });
  }
  return out;
}

/** How saved topic keys are described: by the issues' labels (matched by slug), once each, in the order given; an unknown key as itself. */
export function topicLabels(keys: readonly string[], choices: readonly TopicChoice[]): string[] {
  const labels = new Map<string, string>();
  for (const t of choices) if (!labels.has(topicSlug(t.label))) labels.set(topicSlug(t.label), t.label);
  return [...new Set(keys.map((key) => labels.get(topicSlug(key)) ?? key))];
}
