// Per-topic feeds: every tag and category gets tags/<slug>/{feed.xml,atom.xml,feed.json}.
//
// Slug rule: Unicode NFC, lowercase, runs of whitespace -> '-', characters that are unsafe
// in a path or URL (/ \ ? # % " < > | : * ' ` and controls) -> '-', runs of '-' collapsed,
// leading/trailing '-' and '.' trimmed. Letters and digits of every script are kept as they
// are (CJK stays CJK: the folder is tags/周报/, the URL is tags/%E5%91%A8%E6%8A%A5/).
// Labels that differ only by case or spacing ("SOFA Weekly", "SOFA WEEKLY") share one feed.
// A label with nothing left (e.g. "///") gets "topic-" + a short hash of the label.
import { createHash } from 'node:crypto';
import { issueTopics, type Issue } from '../content/issue.js';

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

export interface Topic {
  slug: string;
  /** The spelling used first by the newest issue that carries it. */
  label: string;
  /** Newest first, as given. */
  issues: Issue[];
}

/** Groups issues (already sorted newest first) by topic slug; topics sorted by slug. */
export function groupTopics(issues: Issue[]): Topic[] {
  const bySlug = new Map<string, Topic>();
  for (const issue of issues) {
    const seen = new Set<string>();
    for (const label of issueTopics(issue)) {
      const trimmed = label.trim();
      if (!trimmed) continue;
      const slug = topicSlug(trimmed);
      if (seen.has(slug)) continue;
      seen.add(slug);
      let topic = bySlug.get(slug);
      if (!topic) {
        topic = { slug, label: trimmed, issues: [] };
        bySlug.set(slug, topic);
      }
      topic.issues.push(issue);
    }
  }
  return [...bySlug.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}

/** Site-relative path of a topic's folder, e.g. tags/sofa-weekly/ */
export function topicPath(slug: string): string {
  return `tags/${slug}/`;
}

/** Absolute URL of a topic's folder (percent-encoded). */
export function topicUrl(siteUrl: string, slug: string): string {
  return new URL(`tags/${encodeURIComponent(slug)}/`, siteUrl).href;
}
